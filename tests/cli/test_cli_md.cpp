// `eqt md` end to end: the trajectory (read back by ASE) and the CSV thermo log are consistent
// with each other and with the summary; runs restart from a trajectory frame; bad input fails
// with a clear message and leaves no output file behind.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "eqt/md/thermo_log.h"
#include "eqt/models/model_dir.h"
#include "models/equiformer_fixtures.h"
#include "support/random_pet.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;


CommandResult run_md(const std::string& arguments) {
  return run_command(shell_quote(eqt_executable().string()) + " --threads 1 md " + arguments);
}

// A small random-weight Equiformer saved as an eqt model directory that knows `species`.
fs::path saved_equiformer(const fs::path& dir, std::vector<int64_t> species = {1, 6, 8}) {
  at::manual_seed(5);
  const models::equiformer::EquiformerModel model(small_config(), at::kDouble);
  models::save_model(model, dir / "model", {species});
  return dir / "model";
}

std::vector<std::vector<double>> read_csv(const fs::path& path, std::string& header) {
  std::ifstream in(path);
  std::getline(in, header);
  std::vector<std::vector<double>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<double> row;
    std::stringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) row.push_back(std::stod(field));
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json read_with_ase(const fs::path& trajectory) {
  const auto r = run_command(std::string(EQT_TEST_PYTHON) + " " +
                             quoted(source_dir() / "tests/cli/ase_read_md_trajectory.py") + " " + quoted(trajectory));
  if (r.exit_code != 0) return nlohmann::json();
  return nlohmann::json::parse(r.output);
}

TEST(CliMd, NveTrajectoryAndLogAreConsistentAndAseReadsThem) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("md_cli_nve");
  const auto model = saved_equiformer(dir);
  const auto r = run_md("--model " + quoted(model) + " --input " + quoted(shared / "data/methane/methane_val.xyz") +
                        " --frame 3 --steps 20 --dt 0.1 --init-temperature 300 --seed 4 --traj " +
                        quoted(dir / "traj.xyz") + " --traj-every 5 --log " + quoted(dir / "thermo.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("energy drift:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("eV/atom/ps"), std::string::npos) << r.output;

  std::string header;
  const auto rows = read_csv(dir / "thermo.csv", header);
  EXPECT_EQ(header, md::kThermoHeader);
  ASSERT_EQ(rows.size(), 21u);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    EXPECT_EQ(rows[k][0], static_cast<double>(k));
    EXPECT_NEAR(rows[k][1], 0.1 * k, 1e-12);
    EXPECT_NEAR(rows[k][4], rows[k][2] + rows[k][3], 1e-9);
    EXPECT_NEAR(rows[k][5], 2 * rows[k][3] / (3 * 5 * 8.617330337217213e-05), 1e-6);
    // NVE with a 0.1 fs step: total energy conserved to a small fraction of the kinetic energy.
    EXPECT_NEAR(rows[k][4], rows[0][4], 0.01 * rows[0][3]);
  }

  const auto frames = data::read_extxyz(dir / "traj.xyz");
  ASSERT_EQ(frames.size(), 5u);  // steps 0, 5, 10, 15, 20
  EXPECT_TRUE(frames[0].has_array("velocities"));
  const auto ase = read_with_ase(dir / "traj.xyz");
  if (ase.is_null()) EQT_SKIP_OR_FAIL() << "python3 with ASE not available";
  ASSERT_EQ(ase.size(), 5u);
  for (std::size_t f = 0; f < 5; ++f) {
    const auto& row = rows[5 * f];
    EXPECT_EQ(ase[f].at("step").get<int>(), static_cast<int>(5 * f));
    EXPECT_NEAR(ase[f].at("energy").get<double>(), row[2], 1e-12 * std::abs(row[2]));
    // ASE's kinetic energy and temperature from the momenta eqt wrote in ASE's units.
    EXPECT_NEAR(ase[f].at("kinetic").get<double>(), row[3], 1e-10 * row[3] + 1e-14);
    EXPECT_NEAR(ase[f].at("temperature").get<double>(), row[5], 1e-8 * row[5] + 1e-10);
    EXPECT_EQ(ase[f].at("forces_shape"), nlohmann::json({5, 3}));
  }

  // A new run from the last frame continues with its velocities (no --init-temperature).
  const auto again = run_md("--model " + quoted(model) + " --input " + quoted(dir / "traj.xyz") +
                            " --frame -1 --steps 1 --dt 0.1 --log " + quoted(dir / "again.csv"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("initial velocities: from the input frame"), std::string::npos) << again.output;
  const auto restarted = read_csv(dir / "again.csv", header);
  EXPECT_NEAR(restarted[0][3], rows[20][3], 1e-10 * rows[20][3]);
  fs::remove_all(dir);
}

// --model takes a training run directory and --ecse wraps the model, as for predict / eval.
TEST(CliMd, RunDirectoryInsideEcse) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("md_cli_run_ecse");
  fs::create_directories(dir / "run");
  models::save_model(*random_pet({{1, 6}, 3.0, 2, 3}), dir / "run" / "model", {{1, 6}});
  const std::string common = "--model " + quoted(dir / "run") + " --input " +
                             quoted(shared / "data/methane/methane_val.xyz") + " --steps 3 --dt 0.5";
  const auto r = run_md(common + " --ecse --ecse-pruning official --log " + quoted(dir / "thermo.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("model: ecse(pet) (eqt-model, cutoff 3 A) from " + (dir / "run" / "model").string()),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("steps: 3"), std::string::npos) << r.output;
  std::string header;
  EXPECT_EQ(read_csv(dir / "thermo.csv", header).size(), 4u);
  const auto without_ecse = run_md(common + " --ecse-pruning single");
  EXPECT_NE(without_ecse.exit_code, 0);
  EXPECT_NE(without_ecse.output.find("--ecse"), std::string::npos) << without_ecse.output;
  fs::remove_all(dir);
}

TEST(CliMd, LangevinPetOnPeriodicWaterWrapsIntoTheCell) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("md_cli_water");
  const auto r = run_md("--model " + quoted(shared / "reference/pet/pet_small") + " --input " +
                        quoted(shared / "data/water/water_rpbe_d3_n2p2.xyz") +
                        " --frame 1 --steps 6 --dt 0.5 --thermostat langevin --temperature 300 --friction 0.05 "
                        "--seed 2 --skin 0.5 --traj " +
                        quoted(dir / "traj.xyz.gz") + " --traj-every 3 --log " + quoted(dir / "thermo.csv") +
                        " --log-every 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Langevin"), std::string::npos) << r.output;
  std::string header;
  EXPECT_EQ(read_csv(dir / "thermo.csv", header).size(), 4u);  // steps 0, 2, 4, 6
  const auto frames = data::read_extxyz(dir / "traj.xyz.gz");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].num_atoms(), 48);
  EXPECT_TRUE(frames[2].pbc[0] && frames[2].pbc[1] && frames[2].pbc[2]);
  const auto ase = read_with_ase(dir / "traj.xyz.gz");
  if (ase.is_null()) EQT_SKIP_OR_FAIL() << "python3 with ASE not available";
  for (const auto& frame : ase) {
    for (const auto& atom : frame.at("scaled_positions")) {
      for (const auto& x : atom) {
        EXPECT_GE(x.get<double>(), 0.0);
        EXPECT_LT(x.get<double>(), 1.0);
      }
    }
  }
  fs::remove_all(dir);
}

struct BadCase {
  std::string arguments, message;
};

TEST(CliMd, BadInputFailsClearlyAndWritesNothing) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("md_cli_errors");
  const auto model = saved_equiformer(dir, {1, 8});
  const std::string methane = quoted(shared / "data/methane/methane_val.xyz");
  data::Structure flat = data::make_structure({1, 1}, at::tensor({0.0, 0.0, 0.0, 1.0, 0.0, 0.0}, at::kDouble).view({2, 3}),
                                              at::tensor({3.0, 0.0, 0.0, 0.0, 3.0, 0.0, 3.0, 3.0, 0.0}, at::kDouble).view({3, 3}),
                                              {true, true, true});
  data::write_extxyz(dir / "flat.xyz", {flat});
  const std::string outputs = " --traj " + quoted(dir / "out.xyz") + " --log " + quoted(dir / "out.csv");
  const std::string m = "--model " + quoted(model);
  const std::vector<BadCase> cases = {
      {"--model " + quoted(dir / "missing") + " --input " + methane + " --steps 2 --dt 1", "does not exist"},
      {m + " --input " + methane + " --frame 100 --steps 2 --dt 1", "frame 100 is out of range: the file has 100 frames"},
      {m + " --input " + methane + " --frame -101 --steps 2 --dt 1", "out of range"},
      {m + " --input " + methane + " --steps 2 --dt 1", "atom 0 is C, which the model was not trained on (its species: H O)"},
      {m + " --input " + quoted(dir / "flat.xyz") + " --steps 2 --dt 1", "linearly dependent"},
      {m + " --input " + methane + " --steps 2 --dt 0", "--dt must be > 0 fs"},
      {m + " --input " + methane + " --steps 2 --dt -0.5", "--dt must be > 0 fs"},
      {m + " --input " + methane + " --steps 2 --dt 1 --thermostat langevin", "needs --temperature"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.arguments);
    const auto r = run_md(c.arguments + outputs);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out.xyz"));
    EXPECT_FALSE(fs::exists(dir / "out.csv"));
  }
  fs::remove_all(dir);
}

// A damaged model file stops md before any step, naming the file (the checksum in model.json
// catches a flipped byte that would otherwise load as wrong weights).
TEST(CliMd, TruncatedOrCorruptModelFailsClearly) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("md_cli_corrupt_model");
  const auto model = saved_equiformer(dir, {1, 6});
  const auto weights = model / "weights.safetensors";
  const auto size = fs::file_size(weights);
  std::string bytes(size, '\0');
  std::ifstream(weights, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
  const std::string methane = quoted(shared / "data/methane/methane_val.xyz");
  const std::vector<std::string> damaged = {bytes.substr(0, size / 2),
                                            bytes.substr(0, size - 8) + std::string(8, '\x7f')};
  for (const auto& content : damaged) {
    std::ofstream(weights, std::ios::binary | std::ios::trunc) << content;
    const auto r = run_md("--model " + quoted(model) + " --input " + methane + " --steps 2 --dt 1 --log " +
                          quoted(dir / "out.csv"));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("weights.safetensors"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir / "out.csv"));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
