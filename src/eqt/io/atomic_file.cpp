#include "eqt/io/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "eqt/core/error.h"

namespace eqt::io {
namespace fs = std::filesystem;

void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

namespace {

// A failed write, fsync or close before the rename: the temporary file is removed by the
// destructor, so the target still holds its previous content (or does not exist). Say so, and
// name the usual causes of ENOSPC / EDQUOT / EFBIG, which users meet as "disk full".
[[noreturn]] void fail_before_rename(const fs::path& path, const char* what, int error) {
  const bool full = error == ENOSPC || error == EDQUOT || error == EFBIG;
  std::error_code ignored;
  const std::string outcome = fs::exists(path, ignored) ? "the previous file is unchanged"
                                                        : "no file was left under that name";
  fail("{}: {} failed: {}{}; {}", path.string(), what, std::strerror(error),
       full ? " (disk full, quota or file size limit?)" : "", outcome);
}

}  // namespace

AtomicFile::AtomicFile(const fs::path& path) : path_(path) {
  // NAME.tmp.XXXXXX in the target's own directory, so that the final rename is atomic (and a killed
  // md run's partial trajectory is easy to find).
  temp_path_ = path.string() + ".tmp.XXXXXX";
  fd_ = ::mkstemp(temp_path_.data());
  if (fd_ < 0) fail("{}: cannot create the file: {}", path.string(), std::strerror(errno));
  // mkstemp makes 0600; give the file the permissions any newly created file would get.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view data) {
  if (committed_) fail("{}: write after commit", path_.string());
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_before_rename(path_, "write", n < 0 ? errno : ENOSPC);  // 0: nothing written
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::commit() {
  if (committed_) return;
  if (::fsync(fd_) != 0) fail_before_rename(path_, "fsync", errno);
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) fail_before_rename(path_, "close", errno);
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    fail("{}: cannot rename the temporary file into place: {}", path_.string(), std::strerror(errno));
  }
  committed_ = true;
  sync_directory(path_.parent_path());
}

void write_file_atomically(const fs::path& path, std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

}  // namespace eqt::io
