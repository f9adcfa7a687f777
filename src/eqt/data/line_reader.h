#pragma once
// Line-by-line text input with 1-based line numbers for error messages, from a plain or
// gzip-compressed file (told apart by the gzip magic bytes, not the name) or any std::istream.
// Reads in large chunks; a line is handed out as a view into the chunk buffer.
//
// Hostile input: a line without a newline would grow the buffer without bound (a 1 GB comment
// line, or a binary file read by mistake). So a line longer than max_line_bytes fails with the
// file name and line number. The buffer holds the unread text once; a line is never copied, but
// std::string growth briefly holds the old and the new allocation, so the peak memory while
// reading a line of L bytes is about 3 (L + 1 MiB) -- bounded by the limit, not by the file.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>

namespace eqt::data {

// The default line-length limit: far above any real extxyz line (a comment line holds per-frame
// info only; per-atom data is on atom lines), far below what would exhaust memory.
constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

class LineReader {
 public:
  // Fails (eqt::Error) when the path is missing, not a regular file, or cannot be opened.
  explicit LineReader(const std::filesystem::path& path, std::size_t max_line_bytes = kMaxLineBytes);
  // Plain text only (no gzip detection); `in` must outlive the reader.
  LineReader(std::istream& in, std::string name, std::size_t max_line_bytes = kMaxLineBytes);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without "\n" / "\r\n"; false at the end. The view stays valid until the next
  // call. Fails with the file name and line number when the gzip stream is corrupt or truncated,
  // or when the line (without its newline) is longer than max_line_bytes.
  bool next(std::string_view& line);
  // Makes the next call to next() return the line just returned again (a one-line look-ahead).
  void unread();
  // 1-based number of the line last returned (0 before the first).
  int64_t line_number() const { return line_number_; }
  const std::string& name() const { return name_; }

 private:
  bool fill();  // appends a chunk to the buffer; false at the end of input
  void check_length(std::size_t length) const;  // fails past max_line_bytes_

  std::string name_;
  std::size_t max_line_bytes_;
  std::function<std::size_t(char*, std::size_t)> read_chunk_;
  std::function<void()> close_;
  std::string buffer_;
  std::size_t begin_ = 0;  // start of the unread part of buffer_
  bool end_of_input_ = false;
  bool replay_ = false;
  std::string_view last_line_;
  int64_t line_number_ = 0;
};

}  // namespace eqt::data
