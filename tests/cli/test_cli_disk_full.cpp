// Disk full end to end (issue #17): `eqt predict`, `eqt md`, `eqt export` and `eqt train` run with
// a file size limit (RLIMIT_FSIZE, SIGXFSZ ignored: write(2) fails with EFBIG, as it would with
// ENOSPC on a full disk) below the size of the file they write. Each must fail with a message
// naming the file, and leave the previous file of that name byte for byte as it was.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "eqt/models/model_dir.h"
#include "models/equiformer_fixtures.h"
#include "support/reference.h"
#include "support/run_command.h"
#include "support/train_data.h"
#include "train_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// `eqt ARGUMENTS` with files limited to `limit` bytes; exit code and output. Between fork and
// exec the child only sets the limit and the signal disposition (an ignored signal stays ignored
// across exec).
CommandResult eqt_under_size_limit(rlim_t limit, const std::string& arguments, const fs::path& log) {
  const std::string command = eqt_command() + arguments + " > " + quoted(log) + " 2>&1";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit fsize{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &fsize);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.output = file_bytes(log);
  return result;
}

// A failed run: exit code 1 (an eqt::Error, not a crash or a signal) and the write error of `file`.
void expect_disk_full_error(const CommandResult& r, const fs::path& file) {
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(file.string() + ": write failed: File too large (disk full"), std::string::npos)
      << r.output;
}

// No NAME.tmp.XXXXXX (AtomicFile) or NAME.tmp (save_model) left in `dir`.
void expect_no_temporaries(const fs::path& dir) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

fs::path disk_full_model(const fs::path& dir) {
  at::manual_seed(5);
  const models::equiformer::EquiformerModel model(small_config(), at::kDouble);
  models::save_model(model, dir / "model", {{1, 6, 8}});
  return dir / "model";
}

fs::path disk_full_structures(const fs::path& dir, int frames) {
  TrainDataOptions options;
  options.frames = frames;
  write_pair_potential_dataset(dir / "in.xyz", options);
  return dir / "in.xyz";
}

TEST(CliDiskFull, PredictKeepsThePreviousOutput) {
  const fs::path dir = temp_dir("disk_full_predict");
  const auto model = disk_full_model(dir);
  const auto input = disk_full_structures(dir, 100);
  const fs::path output = dir / "out" / "predicted.xyz";
  fs::create_directories(output.parent_path());
  std::ofstream(output) << "previous predictions\n";
  const auto args = "predict --model " + quoted(model) + " --input " + quoted(input) + " --output " + quoted(output);
  expect_disk_full_error(eqt_under_size_limit(8 << 10, args, dir / "log"), output);
  EXPECT_EQ(file_bytes(output), "previous predictions\n");
  expect_no_temporaries(output.parent_path());
  // Without the limit the same command succeeds: the limit was the cause.
  EXPECT_EQ(eqt_under_size_limit(RLIM_INFINITY, args, dir / "log").exit_code, 0) << file_bytes(dir / "log");
  EXPECT_GT(fs::file_size(output), 8u << 10);
  fs::remove_all(dir);
}

TEST(CliDiskFull, MdKeepsThePreviousTrajectory) {
  const fs::path dir = temp_dir("disk_full_md");
  const auto model = disk_full_model(dir);
  const auto input = disk_full_structures(dir, 1);
  const fs::path trajectory = dir / "out" / "traj.xyz";
  fs::create_directories(trajectory.parent_path());
  std::ofstream(trajectory) << "previous trajectory\n";
  const auto args = "md --model " + quoted(model) + " --input " + quoted(input) +
                    " --steps 100 --dt 0.5 --init-temperature 300 --seed 1 --traj " + quoted(trajectory);
  expect_disk_full_error(eqt_under_size_limit(8 << 10, args, dir / "log"), trajectory);
  EXPECT_EQ(file_bytes(trajectory), "previous trajectory\n");
  expect_no_temporaries(trajectory.parent_path());
  EXPECT_EQ(eqt_under_size_limit(RLIM_INFINITY, args, dir / "log").exit_code, 0) << file_bytes(dir / "log");
  EXPECT_GT(fs::file_size(trajectory), 8u << 10);
  fs::remove_all(dir);
}

TEST(CliDiskFull, ExportKeepsThePreviousModelDirectory) {
  const fs::path dir = temp_dir("disk_full_export");
  const auto model = disk_full_model(dir);
  const fs::path exported = dir / "out" / "exported";
  fs::create_directories(exported.parent_path());
  const auto args = "export --model " + quoted(model) + " --output " + quoted(exported);
  ASSERT_EQ(eqt_under_size_limit(RLIM_INFINITY, args, dir / "log").exit_code, 0) << file_bytes(dir / "log");
  const std::string weights = file_bytes(exported / "weights.safetensors");
  const std::string description = file_bytes(exported / "model.json");
  ASSERT_GT(weights.size(), 4096u);
  const auto r = eqt_under_size_limit(weights.size() / 2, args, dir / "log");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("weights.safetensors: write failed: File too large (disk full"), std::string::npos)
      << r.output;
  EXPECT_EQ(file_bytes(exported / "weights.safetensors"), weights);
  EXPECT_EQ(file_bytes(exported / "model.json"), description);
  expect_no_temporaries(dir / "out");
  EXPECT_NO_THROW(models::read_model_directory(exported));
  fs::remove_all(dir);
}

TEST(CliDiskFull, TrainKeepsThePreviousCheckpoint) {
  const fs::path dir = temp_dir("disk_full_train");
  const Data d = make_data(dir, 8, "");
  const fs::path run = dir / "run";
  const auto first = eqt_under_size_limit(
      RLIM_INFINITY, "train " + quoted(d.config) + " --run-dir " + quoted(run) + " --set training.epochs=1", dir / "log");
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // A validation writes the best checkpoint (when it improved), then the last one.
  const fs::path last = run / "checkpoints" / "last" / "checkpoint.pt";
  const fs::path best = run / "checkpoints" / "best" / "checkpoint.pt";
  const std::string previous_last = file_bytes(last), previous_best = file_bytes(best);
  ASSERT_GT(previous_last.size(), 4096u);
  const auto r = eqt_under_size_limit(previous_last.size() / 2,
                                      "train --resume " + quoted(run) + " --set training.epochs=2", dir / "log");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("checkpoint.pt: write failed: File too large (disk full"), std::string::npos) << r.output;
  EXPECT_EQ(file_bytes(last), previous_last);
  EXPECT_EQ(file_bytes(best), previous_best);
  expect_no_temporaries(run / "checkpoints");
  // The intact checkpoint still resumes, once there is room again.
  const auto resumed = eqt_under_size_limit(RLIM_INFINITY, "train --resume " + quoted(run) + " --set training.epochs=2",
                                            dir / "log");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(train::read_checkpoint_state(run / "checkpoints" / "last").epoch, 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
