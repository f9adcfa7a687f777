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

AtomicFile::AtomicFile(const fs::path& path, const std::string& temp_name, uint64_t size) : path_(path) {
  const std::string prefix = path.filename().string() + ".tmp.";
  if (temp_name.size() != prefix.size() + 6 || temp_name.compare(0, prefix.size(), prefix) != 0 ||
      temp_name.find('/') != std::string::npos) {
    fail("{}: '{}' is not a temporary file of it (expected {}XXXXXX)", path.string(), temp_name, prefix);
  }
  temp_path_ = (path.parent_path() / temp_name).string();
  fd_ = ::open(temp_path_.c_str(), O_WRONLY);
  if (fd_ < 0) fail("{}: cannot reopen its partial file {}: {}", path.string(), temp_path_, std::strerror(errno));
  // A throwing constructor runs no destructor: close the file here, and leave it where it is.
  struct stat info {};
  if (::fstat(fd_, &info) != 0 || static_cast<uint64_t>(info.st_size) < size) {
    ::close(fd_);
    fail("{}: its partial file {} is shorter than the {} bytes to continue from", path.string(), temp_path_, size);
  }
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 || ::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0) {
    const int error = errno;
    ::close(fd_);
    fail("{}: cannot truncate its partial file {}: {}", path.string(), temp_path_, std::strerror(error));
  }
}

uint64_t AtomicFile::sync() {
  if (committed_) fail("{}: sync after commit", path_.string());
  if (::fsync(fd_) != 0) fail_before_rename(path_, "fsync", errno);
  const off_t offset = ::lseek(fd_, 0, SEEK_CUR);
  if (offset < 0) fail_before_rename(path_, "lseek", errno);
  return static_cast<uint64_t>(offset);
}

std::string AtomicFile::temp_name() const { return fs::path(temp_path_).filename().string(); }

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
