#pragma once
// Integrity of files eqt writes and later reads back (model weights): the byte size and zlib's
// CRC-32 are recorded beside the file, so a truncated copy or a flipped bit is caught with a
// clear message before any parsing. (Detects accidents, not tampering.)
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace eqt::io {

struct FileDigest {
  uint64_t bytes = 0;
  uint32_t crc32 = 0;
};

FileDigest digest_of(std::string_view bytes);

// "0x1a2b3c4d" and back; parse fails (eqt::Error naming `origin`) on anything else.
std::string crc32_text(uint32_t crc);
uint32_t parse_crc32_text(const std::string& text, const std::string& origin);

// The whole file as bytes; fails naming the file when it cannot be opened or read.
std::string read_file_bytes(const std::filesystem::path& path);
// The same for a file that is small by nature (a config, model.json): one over max_bytes fails
// naming the file and the limit, having read at most max_bytes + 1 bytes of it (a hostile or
// mistaken 100 GB "config" is refused, not loaded).
std::string read_small_file(const std::filesystem::path& path, uint64_t max_bytes);

}  // namespace eqt::io
