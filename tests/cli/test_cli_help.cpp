#include <torch/version.h>

#include <fstream>
#include <sstream>

#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

std::string eqt() { return shell_quote(eqt_executable().string()); }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CliHelp, ListsEveryVerbAndNoneIsPlanned) {
  const auto r = run_command(eqt() + " --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* verb : {"inspect", "train", "eval", "predict", "md", "export"}) {
    EXPECT_NE(r.output.find(verb), std::string::npos) << "verb missing from --help: " << verb;
  }
  EXPECT_EQ(r.output.find("not yet implemented"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--threads"), std::string::npos);
}

TEST(CliHelp, EveryVerbHasItsOwnHelp) {
  for (const char* verb : {"inspect", "train", "eval", "predict", "md", "export"}) {
    const auto r = run_command(eqt() + " " + verb + " --help");
    EXPECT_EQ(r.exit_code, 0) << verb << ": " << r.output;
    EXPECT_NE(r.output.find(std::string("Usage: ")), std::string::npos) << verb << ": " << r.output;
    EXPECT_NE(r.output.find(verb), std::string::npos) << verb << ": " << r.output;
  }
}

TEST(CliHelp, MdWithoutArgumentsAsksForTheRequiredOptions) {
  const auto r = run_command(eqt() + " md");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("--model"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("not yet implemented"), std::string::npos) << r.output;
}

TEST(CliHelp, UnknownVerbAndMissingVerbAreRejected) {
  auto r = run_command(eqt() + " frobnicate");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("frobnicate"), std::string::npos) << r.output;
  r = run_command(eqt());
  EXPECT_NE(r.exit_code, 0);
}

TEST(CliHelp, VersionPrintsTheProjectVersion) {
  const auto r = run_command(eqt() + " --version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find(std::string("eqt ") + EQT_VERSION), std::string::npos) << r.output;
  // What it was built with, for bug reports (issue: devices and LibTorch 2.x).
  EXPECT_NE(r.output.find(std::string("LibTorch ") + TORCH_VERSION), std::string::npos) << r.output;
  EXPECT_TRUE(r.output.find("without CUDA (CPU only)") != std::string::npos ||
              r.output.find("with CUDA") != std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("BLAS: "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("BLAS_INFO=unknown"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("oneDNN for eqt's float32 linears: "), std::string::npos) << r.output;
}

// eqt chooses how OpenMP threads wait (core/omp_wait_policy.h) unless the user did; --version
// reports what libgomp was given and who chose it.
TEST(CliHelp, OpenMpWaitPolicyIsTheUsersOrChosenByEqt) {
  const std::string clean = "env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u EQT_OMP_WAIT -u EQT_OMP_WAIT_CHOICE ";
  const auto forced = run_command(clean + "EQT_OMP_WAIT=passive " + eqt() + " --version");
  EXPECT_EQ(forced.exit_code, 0);
  EXPECT_NE(forced.output.find("OpenMP threads wait: PASSIVE: EQT_OMP_WAIT=passive (chosen by eqt)"), std::string::npos)
      << forced.output;
  const auto automatic = run_command(clean + eqt() + " --version");
  EXPECT_TRUE(automatic.output.find("OpenMP threads wait: PASSIVE: the cores were busy at start") != std::string::npos ||
              automatic.output.find("OpenMP threads wait: spin: the cores were free at start") != std::string::npos)
      << automatic.output;
  const auto users = run_command(clean + "OMP_WAIT_POLICY=active " + eqt() + " --version");
  EXPECT_NE(users.output.find("OpenMP threads wait: OMP_WAIT_POLICY=active (set by the user)"), std::string::npos)
      << users.output;
  const auto spins = run_command(clean + "GOMP_SPINCOUNT=1000 " + eqt() + " --version");
  EXPECT_NE(spins.output.find("OpenMP threads wait: GOMP_SPINCOUNT=1000 (set by the user)"), std::string::npos)
      << spins.output;
  const auto spin = run_command(clean + "EQT_OMP_WAIT=spin " + eqt() + " --version");
  EXPECT_NE(spin.output.find("OpenMP threads wait: spin: libgomp's default"), std::string::npos) << spin.output;
}

// CI must run exactly the test command the README gives to users.
TEST(Readme, CiRunsTheReadmeTestCommandVerbatim) {
  const std::string ci = read_text(source_dir() / ".ci/run");
  const std::string readme = read_text(source_dir() / "README.md");
  const auto line_start = ci.find("scripts/install-deps.sh");
  ASSERT_NE(line_start, std::string::npos) << ".ci/run does not call scripts/install-deps.sh";
  const std::string command = ci.substr(line_start, ci.find('\n', line_start) - line_start);
  EXPECT_NE(command.find("ctest"), std::string::npos) << command;
  EXPECT_NE(readme.find(command), std::string::npos)
      << "README.md does not contain the .ci/run command verbatim:\n"
      << command;
}

}  // namespace
}  // namespace eqt::testing
