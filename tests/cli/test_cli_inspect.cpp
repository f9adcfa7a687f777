#include <fstream>

#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

std::string python() { return EQT_TEST_PYTHON; }

// Generates a small EMT-labelled dataset with the project's own generator.
std::filesystem::path make_dataset(const std::filesystem::path& dir, int frames) {
  const auto path = dir / "emt.xyz";
  const auto r = run_command(python() + " " + shell_quote((source_dir() / "tools/make_emt_dataset.py").string()) +
                             " --frames " + std::to_string(frames) + " --output " + shell_quote(path.string()));
  if (r.exit_code != 0) throw std::runtime_error("dataset generation failed: " + r.output);
  return path;
}

TEST(CliInspect, SummaryAgreesWithAnIndependentAseComputation) {
  const auto dir = temp_dir("inspect");
  const auto data = make_dataset(dir, 6);
  const auto json_path = dir / "summary.json";
  const auto r = run_command(shell_quote(eqt_executable().string()) + " --threads 1 inspect " +
                             shell_quote(data.string()) + " --cutoff 4.5 --json " + shell_quote(json_path.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("neighbours within 4.5 A"), std::string::npos) << r.output;

  const auto ref_run = run_command(python() + " " +
                                   shell_quote((source_dir() / "tests/cli/inspect_reference.py").string()) + " " +
                                   shell_quote(data.string()) + " 4.5");
  ASSERT_EQ(ref_run.exit_code, 0) << ref_run.output;
  const auto ref = nlohmann::json::parse(ref_run.output);
  const auto got = load_json(json_path)["files"][data.string()];

  EXPECT_EQ(got["frames"], ref["frames"]);
  EXPECT_EQ(got["species_counts"], ref["species_counts"]);
  EXPECT_NEAR(got["neighbours_per_atom"]["mean"].get<double>(), ref["neighbours_mean"].get<double>(), 1e-12);
  EXPECT_NEAR(got["energy"]["mean"].get<double>(), ref["energy_mean"].get<double>(), 1e-9);
  EXPECT_NEAR(got["force_component"]["rms"].get<double>(), ref["force_rms"].get<double>(), 1e-12);
  for (const auto& [symbol, energy] : ref["reference_energies"].items()) {
    EXPECT_NEAR(got["reference_energies"][symbol].get<double>(), energy.get<double>(), 1e-6) << symbol;
  }
  std::filesystem::remove_all(dir);
}

TEST(CliInspect, MalformedFileGivesFileLineAndReason) {
  const auto dir = temp_dir("inspect_bad");
  const auto path = dir / "broken.xyz";
  std::ofstream(path) << "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 0 abc\n";
  const auto r = run_command(shell_quote(eqt_executable().string()) + " inspect " + shell_quote(path.string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("broken.xyz:4"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

TEST(CliInspect, MissingFileIsRejected) {
  const auto r = run_command(shell_quote(eqt_executable().string()) + " inspect /nonexistent/x.xyz");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("/nonexistent/x.xyz"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace eqt::testing
