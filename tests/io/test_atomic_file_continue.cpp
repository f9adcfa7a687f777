// Continuing a killed process's temporary file (io::AtomicFile's second constructor, used by
// `eqt md --resume`): it is truncated to the recorded size and written on; sync() reports the
// size to record; a name that is not a temporary of the target is refused, so a hostile restart
// file cannot make eqt truncate some other file.
#include <gtest/gtest.h>
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

std::string error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(AtomicFileContinue, TruncatesToTheRecordedSizeAndWritesOn) {
  const fs::path dir = testing::temp_dir("atomic_file_continue");
  const fs::path target = dir / "traj.xyz";
  // A child process syncs after "first,", writes more and dies without cleaning up, as after
  // SIGKILL; it reports the temporary's name and the synced size through a file.
  const pid_t pid = ::fork();
  if (pid == 0) {
    AtomicFile killed(target);
    killed.write("first,");
    const uint64_t synced = killed.sync();
    killed.write("lost after the restart point");
    std::ofstream(dir / "report") << killed.temp_name() << " " << synced;
    ::_exit(0);  // no destructor: the temporary stays
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::string temp;
  uint64_t size = 0;
  std::ifstream(dir / "report") >> temp >> size;
  EXPECT_EQ(size, 6u);
  ASSERT_TRUE(fs::exists(dir / temp));
  EXPECT_EQ(temp.rfind("traj.xyz.tmp.", 0), 0u) << temp;
  AtomicFile continued(target, temp, size);
  continued.write("second");
  continued.commit();
  EXPECT_EQ(eqt::testing::file_bytes(target), "first,second");
  EXPECT_FALSE(fs::exists(dir / temp));
}

TEST(AtomicFileContinue, RefusesOtherFilesAndShortOrMissingTemporaries) {
  const fs::path dir = testing::temp_dir("atomic_file_continue_refuses");
  const fs::path target = dir / "traj.xyz";
  std::ofstream(dir / "precious.txt") << "keep me";
  for (const std::string name : {"precious.txt", "../precious.txt", "traj.xyz.tmp.../../x", "traj.xyz",
                                 "other.xyz.tmp.abcdef"}) {
    const std::string message = error_of([&] { AtomicFile f(target, name, 0); });
    EXPECT_NE(message.find("is not a temporary file of it"), std::string::npos) << name << ": " << message;
  }
  EXPECT_EQ(eqt::testing::file_bytes(dir / "precious.txt"), "keep me");

  const std::string missing = error_of([&] { AtomicFile f(target, "traj.xyz.tmp.abcdef", 0); });
  EXPECT_NE(missing.find("cannot reopen its partial file"), std::string::npos) << missing;

  std::ofstream(dir / "traj.xyz.tmp.ABCDEF") << "abc";
  const std::string short_file = error_of([&] { AtomicFile f(target, "traj.xyz.tmp.ABCDEF", 10); });
  EXPECT_NE(short_file.find("shorter than the 10 bytes"), std::string::npos) << short_file;
  EXPECT_EQ(eqt::testing::file_bytes(dir / "traj.xyz.tmp.ABCDEF"), "abc");
}

}  // namespace
}  // namespace eqt::io
