// Reading / writing speed of eqt's extxyz code against ASE 3.22 on the same files, in one run:
//   bench_extxyz [--no-ase] FILE...      (e.g. ../shared/data/rmd17/rmd17_aspirin_test.xyz)
// prints frames, atoms, eqt's read and write time, ASE's read time and the ratio per file.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"

namespace {
namespace fs = std::filesystem;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median_read_seconds(const fs::path& path, int repeats) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const auto frames = eqt::data::read_extxyz(path);
    times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// ASE's read time through bench/peer_ase_extxyz.py; negative when it could not run.
double ase_read_seconds(const fs::path& path) {
  const fs::path script = fs::path(EQT_BENCH_SOURCE_DIR) / "peer_ase_extxyz.py";
  const std::string command = "/usr/bin/python3 '" + script.string() + "' '" + path.string() + "' 3";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  double seconds = -1;
  if (std::fscanf(pipe, "%lf", &seconds) != 1) seconds = -1;
  return ::pclose(pipe) == 0 ? seconds : -1;
}

}  // namespace

int main(int argc, char** argv) {
  bool with_ase = true;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--no-ase") == 0) {
      with_ase = false;
    } else {
      files.emplace_back(argv[i]);
    }
  }
  std::printf("%-36s %7s %9s %10s %10s %10s %7s\n", "file", "frames", "atoms", "eqt_read_s",
              "eqt_write_s", "ase_read_s", "ratio");
  for (const auto& path : files) {
    try {
      const auto frames = eqt::data::read_extxyz(path);
      int64_t atoms = 0;
      for (const auto& s : frames) atoms += s.num_atoms();
      const double read_s = median_read_seconds(path, 3);
      const fs::path out = fs::temp_directory_path() / ("eqt_bench_" + path.filename().string());
      const auto start = std::chrono::steady_clock::now();
      eqt::data::write_extxyz(out, frames);
      const double write_s = seconds_since(start);
      fs::remove(out);
      const double ase_s = with_ase ? ase_read_seconds(path) : -1;
      std::printf("%-36s %7zu %9lld %10.4f %10.4f %10.4f %7.1f\n", path.filename().c_str(),
                  frames.size(), static_cast<long long>(atoms), read_s, write_s, ase_s,
                  ase_s > 0 ? ase_s / read_s : 0.0);
    } catch (const eqt::Error& e) {
      std::printf("%-36s error: %s\n", path.filename().c_str(), e.what());
    }
  }
  return 0;
}
