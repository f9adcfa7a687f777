// Neighbour-list benchmark: eqt against ase.neighborlist.neighbor_list on the same ~100,000-atom
// periodic water box, in the same run (ASE through bench/peer_ase_neighbour_list.py).
//
//   bench_neighbour_list [--molecules-per-side 32] [--cutoffs 5,6] [--repeats 5]
//                        [--ase-repeats 3] [--threads 1,2] [--no-ase] [--python /usr/bin/python3]
//
// The box: water at ~1 g/cm^3 (O-H 0.96 A, H-O-H 104.5 deg), one molecule per site of a cubic
// grid, jittered and randomly oriented with a fixed seed, so every run times the same structure.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "eqt/data/neighbour_list.h"

namespace {

namespace fs = std::filesystem;
using eqt::data::NeighbourList;

constexpr double kPi = 3.14159265358979323846;
constexpr double kWaterMolarMass = 18.015;   // g/mol
constexpr double kAvogadro = 6.02214076e23;  // 1/mol
constexpr double kDensity = 1.0;             // g/cm^3
constexpr double kOH = 0.96;                 // Angstrom
constexpr double kHOH = 104.5 * kPi / 180;
constexpr double kJitter = 0.25;  // Angstrom, per coordinate, uniform in [-kJitter, kJitter]

struct Options {
  int molecules_per_side = 32;  // 32^3 = 32,768 molecules = 98,304 atoms
  std::vector<double> cutoffs = {5.0, 6.0};
  int repeats = 5;
  int ase_repeats = 3;
  std::vector<int> threads = {1, 2};
  bool run_ase = true;
  std::string python = "/usr/bin/python3";
};

struct WaterBox {
  std::vector<double> positions;  // [3N]
  std::array<double, 9> cell{};   // cubic
  int64_t num_atoms() const { return static_cast<int64_t>(positions.size() / 3); }
};

std::vector<double> parse_doubles(const std::string& text) {
  std::vector<double> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stod(item));
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    const auto value = [&]() -> std::string {
      if (a + 1 >= argc) throw std::runtime_error("missing value after " + arg);
      return argv[++a];
    };
    if (arg == "--molecules-per-side") {
      o.molecules_per_side = std::stoi(value());
    } else if (arg == "--cutoffs") {
      o.cutoffs = parse_doubles(value());
    } else if (arg == "--repeats") {
      o.repeats = std::stoi(value());
    } else if (arg == "--ase-repeats") {
      o.ase_repeats = std::stoi(value());
    } else if (arg == "--no-ase") {
      o.run_ase = false;
    } else if (arg == "--python") {
      o.python = value();
    } else if (arg == "--threads") {
      o.threads.clear();
      for (double t : parse_doubles(value())) o.threads.push_back(static_cast<int>(t));
    } else {
      throw std::runtime_error("unknown argument " + arg);
    }
  }
  return o;
}

// Uniformly random rotation (Shoemake's quaternion method), as a row-major 3x3 matrix.
std::array<double, 9> random_rotation(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double u1 = u(rng), u2 = 2 * kPi * u(rng), u3 = 2 * kPi * u(rng);
  const double a = std::sqrt(1 - u1), b = std::sqrt(u1);
  const double w = a * std::sin(u2), x = a * std::cos(u2);
  const double y = b * std::sin(u3), z = b * std::cos(u3);
  return {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),     2 * (x * z + y * w),
          2 * (x * y + z * w),     1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
          2 * (x * z - y * w),     2 * (y * z + x * w),     1 - 2 * (x * x + y * y)};
}

WaterBox make_water_box(int per_side) {
  const double molecules = static_cast<double>(per_side) * per_side * per_side;
  const double volume = molecules * kWaterMolarMass / (kAvogadro * kDensity) * 1e24;  // A^3
  const double edge = std::cbrt(volume), spacing = edge / per_side;
  // O at the origin, the two H in the xy plane, symmetric about y.
  const double hx = kOH * std::sin(kHOH / 2), hy = kOH * std::cos(kHOH / 2);
  const double local[3][3] = {{0, 0, 0}, {hx, hy, 0}, {-hx, hy, 0}};
  std::mt19937_64 rng(20240601);
  std::uniform_real_distribution<double> jitter(-kJitter, kJitter);
  WaterBox box;
  box.cell = {edge, 0, 0, 0, edge, 0, 0, 0, edge};
  box.positions.reserve(static_cast<std::size_t>(9 * molecules));
  for (int ix = 0; ix < per_side; ++ix) {
    for (int iy = 0; iy < per_side; ++iy) {
      for (int iz = 0; iz < per_side; ++iz) {
        const double centre[3] = {(ix + 0.5) * spacing + jitter(rng),
                                  (iy + 0.5) * spacing + jitter(rng),
                                  (iz + 0.5) * spacing + jitter(rng)};
        const auto r = random_rotation(rng);
        for (const auto& p : local) {
          for (int c = 0; c < 3; ++c) {
            box.positions.push_back(centre[c] + r[3 * c] * p[0] + r[3 * c + 1] * p[1] +
                                    r[3 * c + 2] * p[2]);
          }
        }
      }
    }
  }
  return box;
}

// int64 N, float64 cell[9], float64 positions[3N] (little-endian, as numpy.fromfile reads it).
void write_box(const WaterBox& box, const fs::path& path) {
  std::ofstream out(path, std::ios::binary);
  const int64_t n = box.num_atoms();
  out.write(reinterpret_cast<const char*>(&n), sizeof(n));
  out.write(reinterpret_cast<const char*>(box.cell.data()), sizeof(double) * 9);
  out.write(reinterpret_cast<const char*>(box.positions.data()),
            static_cast<std::streamsize>(sizeof(double) * box.positions.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

struct Timing {
  double median_s = 0;      // wall clock
  double median_cpu_s = 0;  // process CPU time (all threads): less sensitive to a busy machine
  int64_t edges = 0;
};

Timing time_eqt(const WaterBox& box, double cutoff, int threads, int repeats) {
  at::set_num_threads(threads);
  if (at::get_num_threads() != threads) throw std::runtime_error("could not set the thread count");
  const auto run = [&] {
    return eqt::data::neighbour_list(box.positions.data(), box.num_atoms(), box.cell.data(),
                                     {true, true, true}, cutoff);
  };
  Timing t;
  t.edges = run().size();  // warm-up: first-touch page faults, thread pool start
  std::vector<double> seconds, cpu_seconds;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    const NeighbourList nl = run();
    cpu_seconds.push_back(static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (nl.size() != t.edges) throw std::runtime_error("edge count changed between repeats");
  }
  t.median_s = median(seconds);
  t.median_cpu_s = median(cpu_seconds);
  return t;
}

// Runs the Python peer; it prints "edges <E>" and "median_s <t>" lines.
Timing time_ase(const Options& o, const fs::path& box_file, double cutoff) {
  const fs::path script = fs::path(__FILE__).parent_path() / "peer_ase_neighbour_list.py";
  const std::string command = o.python + " '" + script.string() + "' '" + box_file.string() +
                              "' --cutoff " + std::to_string(cutoff) + " --repeats " +
                              std::to_string(o.ase_repeats);
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  Timing t{-1, -1};
  char line[512];
  while (std::fgets(line, sizeof(line), pipe)) {
    std::istringstream in(line);
    std::string key;
    in >> key;
    if (key == "edges") in >> t.edges;
    if (key == "median_s") in >> t.median_s;
  }
  if (pclose(pipe) != 0 || t.edges < 0) throw std::runtime_error("ASE peer failed: " + command);
  return t;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse_options(argc, argv);
    const WaterBox box = make_water_box(o.molecules_per_side);
    std::printf("machine: %s, %u hardware threads, load average %s\n", cpu_model().c_str(),
                std::thread::hardware_concurrency(), load_average().c_str());
    std::printf("water box: %lld atoms (%d^3 molecules), cubic %.3f A, periodic\n",
                static_cast<long long>(box.num_atoms()), o.molecules_per_side, box.cell[0]);
    const fs::path box_file = fs::temp_directory_path() / "eqt_bench_water_box.bin";
    write_box(box, box_file);
    bool counts_agree = true;
    for (const double cutoff : o.cutoffs) {
      std::printf("\ncutoff %.2f A\n", cutoff);
      std::vector<Timing> eqt_times;
      for (const int threads : o.threads) {
        eqt_times.push_back(time_eqt(box, cutoff, threads, o.repeats));
        std::printf(
            "  eqt  %d thread(s): %10.2f ms median of %d (cpu %.2f ms), %lld edges, %.1f per "
            "atom\n",
            threads, 1e3 * eqt_times.back().median_s, o.repeats,
            1e3 * eqt_times.back().median_cpu_s, static_cast<long long>(eqt_times.back().edges),
            static_cast<double>(eqt_times.back().edges) / box.num_atoms());
      }
      if (!o.run_ase) continue;
      const Timing ase = time_ase(o, box_file, cutoff);
      std::printf("  ASE  neighbor_list: %10.2f ms median of %d, %lld edges\n", 1e3 * ase.median_s,
                  o.ase_repeats, static_cast<long long>(ase.edges));
      for (std::size_t k = 0; k < o.threads.size(); ++k) {
        std::printf("  speed-up over ASE, eqt %d thread(s): %.1fx\n", o.threads[k],
                    ase.median_s / eqt_times[k].median_s);
        if (eqt_times[k].edges != ase.edges) counts_agree = false;
      }
      std::printf("  edge counts %s\n", counts_agree ? "agree" : "DIFFER");
    }
    fs::remove(box_file);
    std::printf("\nload average after: %s\n", load_average().c_str());
    return counts_agree ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_neighbour_list: %s\n", e.what());
    return 2;
  }
}
