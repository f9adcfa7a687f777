#pragma once
// A directory private to this fuzzing process, for targets whose parser reads files (gzip
// detection and model directories work on paths). Under $TMPDIR (libFuzzer runs millions of
// inputs: point it at a tmpfs such as /dev/shm for speed); removed at exit.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace eqt::fuzz {

inline const std::filesystem::path& scratch_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      const char* tmp = std::getenv("TMPDIR");
      path = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") / ("eqt_fuzz_" + std::to_string(::getpid()));
      std::filesystem::create_directories(path);
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Dir dir;
  return dir.path;
}

inline void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace eqt::fuzz
