// metrics.csv and train.log are appended in place (not through io::AtomicFile): when the disk is
// full, an append fails with an error naming the file instead of losing rows silently, and the
// rows written before stay. The failure is a real one: RLIMIT_FSIZE in a child process with
// SIGXFSZ ignored (write(2) then fails with EFBIG, as with ENOSPC on a full disk).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/train/run_files.h"
#include "support/reference.h"

namespace eqt::train {
namespace {

namespace fs = std::filesystem;

std::string run_files_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Appends rows (or log lines) to `files` in a child whose files may not exceed `limit` bytes;
// the eqt::Error message it got, or "" when all 1,000 appends succeeded.
std::string append_under_limit(RunFiles& files, rlim_t limit, bool log_lines) {
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit fsize{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &fsize);
    std::string message;
    try {
      MetricsRow row;
      row.train_mae = {0.5};
      row.val_mae = {0.25};
      row.val_rmse = {0.125};
      for (int k = 0; k < 1000; ++k) {
        row.step = k;
        if (log_lines) files.log("epoch " + std::to_string(k) + ": a progress line of some length");
        else files.append(row);
      }
    } catch (const Error& e) {
      message = e.what();
    }
    (void)!::write(fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child crashed: status " << status;
  return message;
}

TEST(RunFilesDiskFull, FailedAppendsAreErrorsAndEarlierRowsStay) {
  const fs::path dir = testing::temp_dir("run_files_full");
  RunFiles files(dir, {"energy"}, true, 0);
  MetricsRow row;
  row.train_mae = {1.0};
  row.val_mae = {2.0};
  row.val_rmse = {3.0};
  files.append(row);
  files.log("first line");
  const std::string metrics = run_files_text(dir / "metrics.csv"), log = run_files_text(dir / "train.log");

  const std::string metrics_error = append_under_limit(files, metrics.size() + 2000, false);
  EXPECT_NE(metrics_error.find((dir / "metrics.csv").string() + ": cannot append to it (disk full"),
            std::string::npos)
      << metrics_error;
  EXPECT_EQ(run_files_text(dir / "metrics.csv").substr(0, metrics.size()), metrics);

  const std::string log_error = append_under_limit(files, log.size() + 2000, true);
  EXPECT_NE(log_error.find((dir / "train.log").string() + ": cannot append to it (disk full"), std::string::npos)
      << log_error;
  EXPECT_EQ(run_files_text(dir / "train.log").substr(0, log.size()), log);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::train
