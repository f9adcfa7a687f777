#include "eqt/data/output_file.h"

#include <zlib.h>

#include <vector>

#include "eqt/core/error.h"

namespace eqt::data {
namespace fs = std::filesystem;

struct AtomicOutputFile::Compressor {
  z_stream stream{};
  std::vector<char> out = std::vector<char>(1 << 18);
  ~Compressor() { deflateEnd(&stream); }
};

bool has_gzip_extension(const fs::path& path) { return path.extension() == ".gz"; }

void AtomicOutputFile::start_gzip() {
  gzip_ = std::make_unique<Compressor>();
  // windowBits 15 + 16: a gzip header and trailer, as gzip(1) and Python's gzip module expect.
  if (deflateInit2(&gzip_->stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    fail("{}: cannot start gzip compression", file_.path().string());
  }
}

AtomicOutputFile::AtomicOutputFile(const fs::path& path, bool gzip) : file_(path) {
  if (gzip) start_gzip();
}

AtomicOutputFile::AtomicOutputFile(const fs::path& path, bool gzip, const std::string& temp_name, uint64_t size)
    : file_(path, temp_name, size) {
  if (gzip) start_gzip();
}

uint64_t AtomicOutputFile::checkpoint() {
  if (gzip_) {
    compress({}, true);
    // A new member, with the same header as a fresh stream's (deflateReset keeps the settings).
    if (deflateReset(&gzip_->stream) != Z_OK) fail("{}: cannot restart gzip compression", file_.path().string());
  }
  return file_.sync();
}

AtomicOutputFile::~AtomicOutputFile() = default;

void AtomicOutputFile::compress(std::string_view data, bool finish) {
  z_stream& z = gzip_->stream;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  int status = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(gzip_->out.data());
    z.avail_out = static_cast<uInt>(gzip_->out.size());
    status = deflate(&z, finish ? Z_FINISH : Z_NO_FLUSH);
    if (status == Z_STREAM_ERROR) fail("{}: gzip compression failed", file_.path().string());
    file_.write(std::string_view(gzip_->out.data(), gzip_->out.size() - z.avail_out));
  } while (z.avail_out == 0 || (finish && status != Z_STREAM_END));
}

void AtomicOutputFile::write(std::string_view data) {
  if (file_.committed()) fail("{}: write after commit", file_.path().string());
  if (!gzip_) {
    file_.write(data);
    return;
  }
  constexpr std::size_t kMaxChunk = 1u << 30;  // z_stream counts in 32-bit unsigned
  while (!data.empty()) {
    const std::string_view chunk = data.substr(0, kMaxChunk);
    compress(chunk, false);
    data.remove_prefix(chunk.size());
  }
}

void AtomicOutputFile::commit() {
  if (file_.committed()) return;
  if (gzip_) compress({}, true);
  file_.commit();
}

}  // namespace eqt::data
