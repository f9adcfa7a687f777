// Disk full (issue #17): a write that fails half-way leaves a clear error and the previous file
// as it was. The failure is real, not simulated: a child process gets a file size limit
// (RLIMIT_FSIZE) with SIGXFSZ ignored, so write(2) fails with EFBIG once the temporary file
// reaches the limit -- what ENOSPC looks like to the writer (same code path, other errno).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/io/atomic_file.h"
#include "support/reference.h"

namespace eqt::io {
namespace {

namespace fs = std::filesystem;

// Runs `body` in a child process whose files may not grow beyond `limit` bytes. Returns the
// message of the eqt::Error it threw, or "" if it returned normally. The child runs no LibTorch
// code, so forking this (multi-threaded) test process is safe.
std::string error_under_size_limit(rlim_t limit, const std::function<void()>& body) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(pipe_fds[0]);
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit fsize{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &fsize);
    std::string message;
    try {
      body();
    } catch (const Error& e) {
      message = e.what();
    }
    if (!message.empty()) (void)!::write(pipe_fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) message.append(buffer, n);
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child crashed: status " << status;
  return message;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFileFaults, FailedWriteKeepsThePreviousFile) {
  const fs::path dir = testing::temp_dir("atomic_file_full");
  const fs::path path = dir / "checkpoint.pt";
  const std::string previous(100'000, 'p');
  write_file_atomically(path, previous);
  const std::string message =
      error_under_size_limit(64 << 10, [&] { write_file_atomically(path, std::string(1 << 20, 'n')); });
  EXPECT_NE(message.find(path.string() + ": write failed: File too large"), std::string::npos) << message;
  EXPECT_NE(message.find("disk full"), std::string::npos) << message;
  EXPECT_NE(message.find("the previous file is unchanged"), std::string::npos) << message;
  EXPECT_EQ(eqt::testing::file_bytes(path), previous);
  EXPECT_EQ(files_in(dir), std::vector<std::string>{"checkpoint.pt"});  // no temporary left behind
  fs::remove_all(dir);
}

TEST(AtomicFileFaults, FailedStreamingWriteLeavesNoFile) {
  const fs::path dir = testing::temp_dir("atomic_file_stream");
  const fs::path path = dir / "trajectory.xyz";
  // Many small writes, as a trajectory is written frame by frame; the limit is hit in the middle.
  const std::string message = error_under_size_limit(10'000, [&] {
    AtomicFile file(path);
    for (int frame = 0; frame < 1000; ++frame) file.write(std::string(100, 'f') + "\n");
    file.commit();
  });
  EXPECT_NE(message.find(path.string() + ": write failed: File too large"), std::string::npos) << message;
  EXPECT_NE(message.find("no file was left under that name"), std::string::npos) << message;
  EXPECT_TRUE(files_in(dir).empty());
  // The same writes without a limit succeed: the failure above was the limit's.
  EXPECT_EQ(error_under_size_limit(RLIM_INFINITY, [&] {
              AtomicFile file(path);
              for (int frame = 0; frame < 1000; ++frame) file.write(std::string(100, 'f') + "\n");
              file.commit();
            }),
            "");
  EXPECT_EQ(fs::file_size(path), 101'000u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::io
