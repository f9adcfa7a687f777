// Reading / writing speed of the extxyz code on real files:
//   bench_extxyz FILE...      (e.g. ../shared/data/*/*)
// prints frames, atoms, read time and write time (to a temporary file) per file.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::printf("%-40s %7s %9s %9s %9s\n", "file", "frames", "atoms", "read_s", "write_s");
  for (int i = 1; i < argc; ++i) {
    const fs::path path = argv[i];
    try {
      auto start = std::chrono::steady_clock::now();
      const auto frames = eqt::data::read_extxyz(path);
      const double read_s = seconds_since(start);
      int64_t atoms = 0;
      for (const auto& s : frames) atoms += s.num_atoms();
      const fs::path out =
          fs::temp_directory_path() / ("bench_extxyz_out" + path.extension().string());
      start = std::chrono::steady_clock::now();
      eqt::data::write_extxyz(out, frames);
      const double write_s = seconds_since(start);
      fs::remove(out);
      std::printf("%-40s %7zu %9lld %9.3f %9.3f\n", path.filename().c_str(), frames.size(),
                  static_cast<long long>(atoms), read_s, write_s);
    } catch (const eqt::Error& e) {
      std::fprintf(stderr, "%s\n", e.what());
      return 1;
    }
  }
  return 0;
}
