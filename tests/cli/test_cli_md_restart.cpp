// `eqt md` restart files: a run SIGKILLed at some moment and continued with --resume ends with the
// very same state, trajectory and thermo log, byte for byte, as the run that was never stopped
// (NVE and Langevin, plain and gzip trajectories); --resume refuses a command line that differs
// from the run's, and a run with no restart file yet.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "eqt/md/restart.h"
#include "eqt/models/model_dir.h"
#include "models/equiformer_fixtures.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

fs::path restart_test_model(const fs::path& dir) {
  at::manual_seed(5);
  const models::equiformer::EquiformerModel model(small_config(), at::kDouble);
  models::save_model(model, dir / "model", {{1, 6, 8}});
  return dir / "model";
}

std::string md_command(const std::string& arguments) {
  return shell_quote(eqt_executable().string()) + " --threads 1 md " + arguments;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Starts `command`, SIGKILLs it once `restart` exists (its first restart point), and waits.
// True when it was killed; false when it finished first.
bool kill_after_first_restart(const std::string& command, const fs::path& restart) {
  const std::string shell = "exec " + command + " > /dev/null 2>&1";
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", shell.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (fs::exists(restart)) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

struct Outputs {
  std::string trajectory, log;
  md::Restart final_state;
};

// One run in `dir`; killed once and resumed when `kill` is set.
Outputs run(const fs::path& dir, const std::string& options, const std::string& traj_name, bool kill) {
  fs::create_directories(dir);
  const fs::path traj = dir / traj_name, log = dir / "thermo.csv";
  const std::string command = md_command(options + " --traj " + quoted(traj) + " --log " + quoted(log));
  if (kill) {
    const fs::path restart = traj.string() + ".restart";
    EXPECT_TRUE(kill_after_first_restart(command, restart)) << "the run finished before it was killed";
    EXPECT_FALSE(fs::exists(traj)) << "a killed run left a trajectory under the final name";
    const auto resumed = run_command(command + " --resume");
    EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
    EXPECT_NE(resumed.output.find("continued from"), std::string::npos) << resumed.output;
  } else {
    const auto r = run_command(command);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
  Outputs out{file_bytes(traj), file_bytes(log), md::read_restart(traj.string() + ".restart")};
  return out;
}

void expect_identical(const Outputs& a, const Outputs& b, int64_t steps) {
  EXPECT_FALSE(a.trajectory.empty());
  EXPECT_TRUE(a.trajectory == b.trajectory) << "trajectories differ";
  EXPECT_FALSE(a.log.empty());
  EXPECT_EQ(a.log, b.log);
  EXPECT_EQ(a.final_state.state.step, steps);
  EXPECT_EQ(b.final_state.state.step, steps);
  EXPECT_TRUE(at::equal(a.final_state.state.positions, b.final_state.state.positions));
  EXPECT_TRUE(at::equal(a.final_state.state.velocities, b.final_state.state.velocities));
  EXPECT_TRUE(at::equal(a.final_state.state.forces, b.final_state.state.forces));
  EXPECT_EQ(a.final_state.random_state, b.final_state.random_state);
}

class CliMdRestart : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(CliMdRestart, KilledAndResumedRunEqualsTheUninterruptedOneByteForByte) {
  EQT_REQUIRE_SHARED(shared);
  const auto& [thermostat, traj_name] = GetParam();
  const fs::path dir = temp_dir("md_restart_" + thermostat + "_" + traj_name);
  const fs::path model = restart_test_model(dir);
  const int64_t steps = 120;
  // Frames and rows every 3 and 7 steps, restart points every 10: a kill lands between them.
  const std::string options = "--model " + quoted(model) + " --input " +
                              quoted(shared / "data/methane/methane_val.xyz") +
                              " --frame 3 --steps " + std::to_string(steps) +
                              " --dt 0.2 --init-temperature 300 --seed 4 --skin 0.3 --thermostat " + thermostat +
                              (thermostat == "langevin" ? " --temperature 300 --friction 0.05" : "") +
                              " --traj-every 3 --log-every 7 --restart-every 10";
  const Outputs full = run(dir / "full", options, traj_name, false);
  const Outputs resumed = run(dir / "killed", options, traj_name, true);
  expect_identical(full, resumed, steps);
  // What a killed run left behind was truncated and continued, not left beside the files.
  for (const auto& entry : fs::directory_iterator(dir / "killed")) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

INSTANTIATE_TEST_SUITE_P(Thermostats, CliMdRestart,
                         ::testing::Values(std::make_pair("nve", "traj.xyz"), std::make_pair("langevin", "traj.xyz"),
                                           std::make_pair("langevin", "traj.xyz.gz")),
                         [](const auto& info) {
                           return info.param.first + (info.param.second == "traj.xyz" ? "" : "_gzip");
                         });

TEST(CliMdRestartErrors, ResumeNeedsTheSameOptionsAndARestartFile) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path dir = temp_dir("md_restart_errors");
  const fs::path model = restart_test_model(dir);
  const std::string common = "--model " + quoted(model) + " --input " +
                             quoted(shared / "data/methane/methane_val.xyz") + " --frame 3 --steps 20 --init-temperature 300";
  const std::string base = common + " --restart-every 5 --traj " + quoted(dir / "t.xyz");
  auto r = run_command(md_command(base + " --dt 0.1 --resume"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("t.xyz.restart: no restart file"), std::string::npos) << r.output;

  r = run_command(md_command(base + " --dt 0.1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(md_command(base + " --dt 0.2 --resume"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("the run was started with --dt 0.1, this command has 0.2"), std::string::npos) << r.output;

  // Resuming a finished run changes nothing and says where it ended.
  const std::string before = file_bytes(dir / "t.xyz");
  r = run_command(md_command(base + " --dt 0.1 --resume"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("had already finished at step 20"), std::string::npos) << r.output;
  EXPECT_EQ(file_bytes(dir / "t.xyz"), before);

  // --restart-every 0: no restart file, and nothing to resume from.
  r = run_command(md_command(common + " --dt 0.1 --restart-every 0 --traj " + quoted(dir / "u.xyz")));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(dir / "u.xyz.restart"));
}

}  // namespace
}  // namespace eqt::testing
