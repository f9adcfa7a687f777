#include "eqt/data/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "eqt/core/error.h"

namespace eqt::data {
namespace fs = std::filesystem;

struct AtomicOutputFile::Compressor {
  z_stream stream{};
  std::vector<char> out = std::vector<char>(1 << 18);
  ~Compressor() { deflateEnd(&stream); }
};

namespace {

// Makes the rename itself durable: the directory entry must reach the disk too.
void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: some file systems refuse to open directories
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

bool has_gzip_extension(const fs::path& path) { return path.extension() == ".gz"; }

AtomicOutputFile::AtomicOutputFile(const fs::path& path, bool gzip) : path_(path) {
  temp_path_ = path.string() + ".tmp.XXXXXX";
  fd_ = ::mkstemp(temp_path_.data());
  if (fd_ < 0) fail("{}: cannot create the file: {}", path.string(), std::strerror(errno));
  // mkstemp makes 0600; give the file the permissions any newly created file would get.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
  if (gzip) {
    gzip_ = std::make_unique<Compressor>();
    // windowBits 15 + 16: a gzip header and trailer, as gzip(1) and Python's gzip module expect.
    if (deflateInit2(&gzip_->stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      fail("{}: cannot start gzip compression", path.string());
    }
  }
}

AtomicOutputFile::~AtomicOutputFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicOutputFile::write_raw(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("{}: write failed: {}", path_.string(), std::strerror(errno));
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void AtomicOutputFile::compress(std::string_view data, bool finish) {
  z_stream& z = gzip_->stream;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int status = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(gzip_->out.data());
    z.avail_out = static_cast<uInt>(gzip_->out.size());
    status = deflate(&z, finish ? Z_FINISH : Z_NO_FLUSH);
    if (status == Z_STREAM_ERROR) fail("{}: gzip compression failed", path_.string());
    write_raw(gzip_->out.data(), gzip_->out.size() - z.avail_out);
  } while (z.avail_out == 0 || (finish && status != Z_STREAM_END));
}

void AtomicOutputFile::write(std::string_view data) {
  if (committed_) fail("{}: write after commit", path_.string());
  constexpr std::size_t kMaxChunk = 1u << 30;  // z_stream counts in 32-bit unsigned
  while (!data.empty()) {
    const std::string_view chunk = data.substr(0, kMaxChunk);
    if (gzip_) compress(chunk, false);
    else write_raw(chunk.data(), chunk.size());
    data.remove_prefix(chunk.size());
  }
}

void AtomicOutputFile::commit() {
  if (committed_) return;
  if (gzip_) compress({}, true);
  if (::fsync(fd_) != 0) fail("{}: fsync failed: {}", path_.string(), std::strerror(errno));
  if (::close(fd_) != 0) fail("{}: close failed: {}", path_.string(), std::strerror(errno));
  fd_ = -1;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    fail("{}: cannot rename the temporary file into place: {}", path_.string(),
         std::strerror(errno));
  }
  committed_ = true;
  sync_directory(path_.parent_path());
}

}  // namespace eqt::data
