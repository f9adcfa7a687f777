#include "eqt/data/line_reader.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>

#include "eqt/core/error.h"

namespace eqt::data {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kChunkSize = 1 << 20;

gzFile open_file(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) fail("{}: cannot read: file not found", path.string());
  if (fs::is_directory(status)) fail("{}: cannot read: is a directory, not a file", path.string());
  errno = 0;
  // zlib reads files without the gzip magic bytes as they are, so one path serves both.
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    fail("{}: cannot open for reading: {}", path.string(),
         errno != 0 ? std::strerror(errno) : "out of memory");
  }
  gzbuffer(file, kChunkSize);
  return file;
}

std::size_t read_gz(gzFile file, const std::string& name, char* out, std::size_t size,
                    int64_t line) {
  const int n = gzread(file, out, static_cast<unsigned>(size));
  int code = Z_OK;
  const char* message = gzerror(file, &code);
  if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
    if (code == Z_ERRNO) message = std::strerror(errno);
    fail("{}: read failed after line {}: {} (corrupt or truncated gzip file?)", name, line,
         message);
  }
  return static_cast<std::size_t>(n);
}

}  // namespace

LineReader::LineReader(const fs::path& path, std::size_t max_line_bytes)
    : name_(path.string()), max_line_bytes_(max_line_bytes) {
  gzFile file = open_file(path);
  read_chunk_ = [this, file](char* out, std::size_t size) {
    return read_gz(file, name_, out, size, line_number_);
  };
  close_ = [file] { gzclose(file); };
}

LineReader::LineReader(std::istream& in, std::string name, std::size_t max_line_bytes)
    : name_(std::move(name)), max_line_bytes_(max_line_bytes) {
  read_chunk_ = [this, &in](char* out, std::size_t size) {
    in.read(out, static_cast<std::streamsize>(size));
    if (in.bad()) fail("{}: read failed after line {}", name_, line_number_);
    return static_cast<std::size_t>(in.gcount());
  };
}

LineReader::~LineReader() {
  if (close_) close_();
}

bool LineReader::fill() {
  if (end_of_input_) return false;
  buffer_.erase(0, begin_);  // keep only the unread tail, so the buffer stays ~one chunk
  begin_ = 0;
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + kChunkSize);
  const std::size_t n = read_chunk_(buffer_.data() + old_size, kChunkSize);
  buffer_.resize(old_size + n);
  if (n == 0) end_of_input_ = true;
  return n > 0;
}

void LineReader::check_length(std::size_t length) const {
  if (length > max_line_bytes_) {
    fail("{}:{}: line longer than {} bytes, the limit of a line (corrupt file, or not a text file?)",
         name_, line_number_ + 1, max_line_bytes_);
  }
}

bool LineReader::next(std::string_view& line) {
  if (replay_) {
    replay_ = false;
    ++line_number_;
    line = last_line_;
    return true;
  }
  std::size_t scanned = begin_;
  std::size_t newline;
  while ((newline = buffer_.find('\n', scanned)) == std::string::npos) {
    scanned = buffer_.size() - begin_;  // relative: fill() moves the unread part to the front
    check_length(scanned);              // before reading more of an endless line
    if (!fill()) break;
    scanned += begin_;
  }
  if (newline == std::string::npos) {
    if (begin_ >= buffer_.size()) return false;  // nothing after the last newline
    newline = buffer_.size();                    // a last line without '\n'
  }
  line = std::string_view(buffer_).substr(begin_, newline - begin_);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  check_length(line.size());  // the exact limit, also where one chunk held the whole line
  begin_ = std::min(newline + 1, buffer_.size());
  ++line_number_;
  last_line_ = line;
  return true;
}

void LineReader::unread() {
  replay_ = true;
  --line_number_;
}

}  // namespace eqt::data
