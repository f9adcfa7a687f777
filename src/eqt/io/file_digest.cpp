#include "eqt/io/file_digest.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "eqt/core/error.h"

namespace eqt::io {

FileDigest digest_of(std::string_view bytes) {
  uLong crc = ::crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large buffers in pieces.
  constexpr std::size_t kChunk = std::numeric_limits<uInt>::max();
  for (std::size_t at = 0; at < bytes.size(); at += kChunk) {
    const std::size_t size = std::min(kChunk, bytes.size() - at);
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + at), static_cast<uInt>(size));
  }
  return {static_cast<uint64_t>(bytes.size()), static_cast<uint32_t>(crc)};
}

std::string crc32_text(uint32_t crc) { return fmt::format("0x{:08x}", crc); }

uint32_t parse_crc32_text(const std::string& text, const std::string& origin) {
  const bool well_formed = text.size() == 10 && text.rfind("0x", 0) == 0 &&
                           text.find_first_not_of("0123456789abcdefABCDEF", 2) == std::string::npos;
  if (!well_formed) fail("{}: crc32 must be written as 0x followed by 8 hex digits, not '{}'", origin, text);
  return static_cast<uint32_t>(std::stoul(text.substr(2), nullptr, 16));
}

std::string read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open {}: {}", path.string(), std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail("error while reading {}", path.string());
  return buffer.str();
}

std::string read_small_file(const std::filesystem::path& path, uint64_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open {}: {}", path.string(), std::strerror(errno));
  std::string bytes;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.append(chunk, static_cast<size_t>(in.gcount()));
    if (bytes.size() > max_bytes)
      fail("{}: larger than {} bytes, which no file of this kind needs: is it the right file?", path.string(), max_bytes);
  }
  if (in.bad()) fail("error while reading {}", path.string());
  return bytes;
}

}  // namespace eqt::io
