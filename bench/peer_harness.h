#pragma once
// What every "eqt against the official code" benchmark shares: running the peer harness
// (shared/peers/time_official.py on the CPU, or bench/official_on_device.py on any device) and
// parsing its JSON line, the --device option and synchronised clocks, the frames + labels both
// sides read, timing records (median, structures/s, atoms/s), the split of eqt's step into
// neighbour list / copy / model, the printed comparison, the load average, and the
// OMP_WAIT_POLICY=PASSIVE re-exec. Model-specific parts (weight export, the timed steps) stay
// in each benchmark. Header-only because every .cpp under bench/ becomes its own executable.
#include <ATen/ATen.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "eqt/core/device.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/graph.h"
#include "eqt/data/labels.h"
#include "eqt/data/structure.h"

namespace eqt_bench {

namespace fs = std::filesystem;

// The official sources are never part of eqt; benchmarks look for them here unless told otherwise.
inline fs::path default_peer_sources() {
  const char* env = std::getenv("EQT_PEER_SRC");
  return env ? env : "/work/peer-src";
}

// The project-side harness for the official code on a device (the shared one has no device option).
inline fs::path default_device_harness() {
#ifdef EQT_BENCH_SOURCE_DIR
  return fs::path(EQT_BENCH_SOURCE_DIR) / "official_on_device.py";
#else
  return "bench/official_on_device.py";
#endif
}

// The command-line options every peer benchmark takes (each benchmark derives its own Options
// and sets its defaults for preset, data, warm-up and repeats).
struct CommonOptions {
  bool quick = false, peer = true;
  std::string modes = "infer,train";
  int threads = 2, batch_size = 8, repeats = 0;
  fs::path preset;
  fs::path harness = "../shared/peers/time_official.py";
  fs::path src_root = default_peer_sources();
  std::string python = "/usr/bin/python3";
  std::string device = "cpu";       // --device: where eqt's model and the official model run
  c10::Device torch_device{c10::kCPU};  // the same, checked by eqt::parse_device
  // --peer-harness shared (time_official.py, CPU only; the default on cpu, so that earlier figures
  // stay comparable) | device (official_on_device.py; the default on any other device).
  std::string peer_harness;
  fs::path device_harness = default_device_harness();
  std::string e3nn_jit;  // --e3nn-jit on|off for official_on_device.py (empty: its default)
};

// --device through eqt::parse_device (a CPU-only build answers cuda with eqt's own message) and
// the harness that goes with it.
inline void check_device_options(CommonOptions& o) {
  o.torch_device = eqt::parse_device(o.device);
  if (o.peer_harness.empty()) o.peer_harness = o.torch_device.is_cpu() ? "shared" : "device";
  if (o.peer_harness != "shared" && o.peer_harness != "device") {
    throw std::runtime_error("--peer-harness '" + o.peer_harness + "': give shared or device");
  }
  if (o.peer_harness == "shared" && !o.torch_device.is_cpu()) {
    throw std::runtime_error("--peer-harness shared times on the CPU only; on --device " + o.device +
                             " the official code runs through --peer-harness device");
  }
  if (!o.e3nn_jit.empty() && o.e3nn_jit != "on" && o.e3nn_jit != "off") {
    throw std::runtime_error("--e3nn-jit '" + o.e3nn_jit + "': give on or off");
  }
}

// Reads argv into `common`; a flag it does not know goes to `extra(flag, next_value)`, which
// returns false for a flag the benchmark does not know either (then the run stops with an error).
using ExtraOption = std::function<bool(const std::string& flag, const std::function<std::string()>& next)>;
inline void parse_options(int argc, char** argv, CommonOptions& o, const ExtraOption& extra, const std::string& program) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const std::function<std::string()> next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--quick") o.quick = true;
    else if (a == "--no-peer") o.peer = false;
    else if (a == "--modes") o.modes = next();
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--batch-size") o.batch_size = std::stoi(next());
    else if (a == "--repeats") o.repeats = std::stoi(next());
    else if (a == "--src-root") o.src_root = next();
    else if (a == "--preset") o.preset = next();
    else if (a == "--python") o.python = next();
    else if (a == "--harness") o.harness = next();
    else if (a == "--device") o.device = next();
    else if (a == "--peer-harness") o.peer_harness = next();
    else if (a == "--device-harness") o.device_harness = next();
    else if (a == "--e3nn-jit") o.e3nn_jit = next();
    else if (!extra(a, next)) throw std::runtime_error("unknown argument " + a + " (see the comment at the top of " + program + ")");
  }
  check_device_options(o);
}

// Waits for the device's queued work, so that a clock read after it times the work and not only
// its launch (item() synchronises on any backend). Nothing to wait for on the CPU.
inline void synchronize(const c10::Device& device) {
  if (device.is_cpu()) return;
  at::zeros({1}, at::TensorOptions().device(device)).sum().item<float>();
}

struct SourceTree {
  const char* folder;
  const char* repository;
  const char* commit;
};

// Empty when every folder exists under root, else how to export the missing ones.
inline std::string missing_sources(const fs::path& root, const std::vector<SourceTree>& trees) {
  for (const auto& tree : trees) {
    if (fs::is_directory(root / tree.folder)) continue;
    std::string text = "official sources missing: " + (root / tree.folder).string() +
                       "\n  Export them (outside the repository) and pass the parent with --src-root or $EQT_PEER_SRC:\n";
    for (const auto& t : trees) {
      char line[200];
      std::snprintf(line, sizeof line, "    %-14s %-42s %s\n", t.folder, t.repository, t.commit);
      text += line;
    }
    return text + "  e.g. git archive <commit> | tar -x -C <src-root>/<name>   (see shared/peers/README.md)";
  }
  return "";
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

struct PeerSettings {
  std::string python = "/usr/bin/python3";
  std::string model;  // equiformer | pet
  fs::path harness, src_root, data, config_json, weights, log;
  int threads = 2, batch_size = 8, repeats = 3, warmup = 1;
  // Set: run official_on_device.py (with `harness` as its --harness) on `device`; empty: `harness`.
  fs::path device_harness;
  std::string device = "cpu", e3nn_jit;
};

// The settings every benchmark gives its peer alike (the model-specific files are set by each).
inline void set_peer_common(PeerSettings& s, const CommonOptions& o) {
  s.python = o.python;
  s.harness = fs::absolute(o.harness);
  s.src_root = fs::absolute(o.src_root);
  s.threads = o.threads;
  s.batch_size = o.batch_size;
  s.repeats = o.repeats;
  if (o.peer_harness == "device") {
    s.device_harness = fs::absolute(o.device_harness);
    s.device = o.device;
    s.e3nn_jit = o.e3nn_jit;
  }
}

// The harness command as the benchmark's header line shows it.
inline std::string peer_description(const PeerSettings& s) {
  if (s.device_harness.empty()) return s.python + " " + s.harness.string() + " (CPU)";
  return s.python + " " + s.device_harness.string() + " --device " + s.device + " (helpers from " +
         s.harness.string() + ")";
}

// The last `count` lines of a file (a failed run's log, shown where the run itself may be far away,
// as on a GPU machine lent for one command).
inline std::string last_lines(const fs::path& file, std::size_t count) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string text;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) text += "    " + lines[i] + "\n";
  return text;
}

// Runs the harness once (mode infer|train) and returns its JSON line; progress goes to s.log.
inline nlohmann::json run_peer(const PeerSettings& s, const std::string& mode) {
  std::string command = quote(s.python) + " ";
  if (s.device_harness.empty()) {
    command += quote(s.harness.string());
  } else {
    command += quote(s.device_harness.string()) + " --harness " + quote(s.harness.string()) + " --device " +
               quote(s.device);
    if (!s.e3nn_jit.empty()) command += " --e3nn-jit " + s.e3nn_jit;
  }
  command += " --model " + s.model + " --src-root " + quote(s.src_root.string()) + " --data " + quote(s.data.string());
  if (!s.config_json.empty()) command += " --config-json " + quote(s.config_json.string());
  if (!s.weights.empty()) command += " --weights " + quote(s.weights.string());
  command += " --threads " + std::to_string(s.threads) + " --dtype float32 --batch-size " +
             std::to_string(s.batch_size) + " --repeats " + std::to_string(s.repeats) + " --warmup " +
             std::to_string(s.warmup) + " --mode " + mode + " 2>>" + quote(s.log.string());
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot start: " + command);
  std::string out;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  if (pclose(pipe) != 0 || out.empty()) {
    throw std::runtime_error("official harness failed: " + command + "\n  the end of its log " + s.log.string() +
                             ":\n" + last_lines(s.log, 25));
  }
  // The JSON line; a library may print lines of its own on stdout (torch 2.6 in a chroot without
  // /proc: UCX's "failed to get boot id").
  std::string line, json;
  for (std::size_t at = 0; at < out.size(); at += line.size() + 1) {
    line = out.substr(at, out.find('\n', at) - at);
    if (!line.empty() && line[0] == '{') json = line;
  }
  if (json.empty()) throw std::runtime_error("official harness printed no JSON line (see " + s.log.string() + ")");
  return nlohmann::json::parse(json);
}

inline std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The frames the harness reads (batch k = frames k*B .. k*B+B-1) with their labels.
struct Dataset {
  std::vector<eqt::data::Structure> frames;
  std::vector<double> energies;
  std::vector<at::Tensor> forces;  // float64 [N, 3]
  double mean = 0.0, std = 1.0;    // of the energies (std with ddof 1, as the harness)

  std::vector<const eqt::data::Structure*> batch(int k, int size) const {
    std::vector<const eqt::data::Structure*> out;
    for (int i = 0; i < size; ++i) out.push_back(&frames[(k * size + i) % frames.size()]);
    return out;
  }
  std::size_t frame_of(int k, int size, int i) const { return (k * size + i) % frames.size(); }
};

inline Dataset read_dataset(const fs::path& file, int batch_size, int batches) {
  Dataset d;
  eqt::data::FrameRange range;
  range.stop = static_cast<int64_t>(batch_size) * batches;
  d.frames = eqt::data::read_extxyz(file, range);
  for (const auto& s : d.frames) {
    d.energies.push_back(eqt::data::energy_label(s).value());
    d.forces.push_back(eqt::data::forces_label(s).value());
  }
  const double n = static_cast<double>(d.energies.size());
  for (double e : d.energies) d.mean += e / n;
  double var = 0.0;
  for (double e : d.energies) var += (e - d.mean) * (e - d.mean);
  if (n > 1 && var > 0.0) d.std = std::sqrt(var / (n - 1));
  return d;
}

// Seconds per timed batch of one side.
struct Side {
  std::vector<double> seconds;
  int64_t atoms_per_batch = 0;
  double structures_per_s(int b) const { return b / median(seconds); }
  double atoms_per_s() const { return atoms_per_batch / median(seconds); }
};

using Clock = std::chrono::steady_clock;
inline double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

inline Side peer_side(const nlohmann::json& j) {
  Side s;
  for (const auto& t : j.at("sec_per_batch_all")) s.seconds.push_back(t.get<double>());
  s.atoms_per_batch = static_cast<int64_t>(j.at("n_atoms_per_batch").get<double>());
  return s;
}

// Where eqt's timed steps spend their time: (a) the neighbour list + collate on the CPU, (b) the
// copy of the graph to the device (measured on the CPU too, where it is a no-op), (c) the model
// step on the device. One entry per timed step.
struct StepParts {
  std::vector<double> graph, copy, model;
  void add(double a, double b, double c) {
    graph.push_back(a);
    copy.push_back(b);
    model.push_back(c);
  }
};

// `cpu` copied to `device`, with the seconds until the device holds it: part (b).
inline eqt::data::Graph copy_to_device(const eqt::data::Graph& cpu, const c10::Device& device, double& copy_s) {
  const auto t0 = Clock::now();
  eqt::data::Graph g = cpu.to(device);
  synchronize(device);
  copy_s = since(t0);
  return g;
}

// Ends a step whose model part (c) began at `model_start`: waits for the device's work and, for a
// timed step (not a warm-up), keeps its three parts and its headline time, which is the model step
// alone or, with `headline_includes_graph`, graph building + copy + model step.
inline void record_step(const c10::Device& device, bool timed, double graph_s, double copy_s,
                        Clock::time_point model_start, bool headline_includes_graph, int64_t atoms, Side& side,
                        StepParts& parts) {
  synchronize(device);
  const double model_s = since(model_start);
  if (timed) {
    side.seconds.push_back(headline_includes_graph ? graph_s + copy_s + model_s : model_s);
    parts.add(graph_s, copy_s, model_s);
  }
  side.atoms_per_batch = atoms;
}

// Prints the medians of the three parts and the neighbour-list share (a+b)/(a+b+c) of the medians;
// `headline` says which parts the eqt figure above is made of.
inline void print_parts(const StepParts& p, const c10::Device& device, const std::string& headline) {
  if (p.model.empty()) return;
  const double a = median(p.graph), b = median(p.copy), c = median(p.model);
  const std::string dev = device.str();
  std::printf("  eqt step, medians: (a) CPU neighbour list + collate %.3f ms, (b) graph copy to %s %.3f ms, "
              "(c) model step on %s %.3f ms\n", 1e3 * a, dev.c_str(), 1e3 * b, dev.c_str(), 1e3 * c);
  std::printf("  neighbour-list share (a+b)/(a+b+c): %.2f %%   (eqt figure above = %s)\n", 100.0 * (a + b) / (a + b + c),
              headline.c_str());
}

inline void print_row(const char* what, const Side& s, int b) {
  std::printf("  %-9s %8.3f structures/s %9.1f atoms/s   (median %.4f s/batch of %lld atoms, %zu repeats)\n", what,
              s.structures_per_s(b), s.atoms_per_s(), median(s.seconds), static_cast<long long>(s.atoms_per_batch),
              s.seconds.size());
}

// Compares one raw energy of eqt with the harness's; throws when they are not the same model.
inline void check_same_model(double mine, double theirs, double tolerance, const std::string& what) {
  const bool same = std::abs(theirs - mine) <= tolerance * std::max(1.0, std::abs(mine));
  std::printf("  same-model check (%s): eqt %.6f official %.6f -> %s\n", what.c_str(), mine, theirs,
              same ? "OK" : "MISMATCH");
  if (!same) throw std::runtime_error("eqt and the official code disagree: not the same model");
}

// Interleaves eqt, official, eqt (so that load changes on a shared machine hit both sides), prints
// both, the ratio and the load average at each phase. `ours` appends its timings to the Side it is
// given; `check` (may be empty) sees the harness's JSON before anything is printed. Returns the
// harness's JSON (null without a peer) for figures a benchmark prints on its own.
inline nlohmann::json compare_sides(const std::string& title, int batch_size, const std::function<void(Side&)>& ours_run,
                          const PeerSettings* peer, const std::string& mode,
                          const std::function<void(const nlohmann::json&)>& check) {
  Side ours;
  std::string loads = load_average();
  ours_run(ours);
  std::printf("\n[%s]\n", title.c_str());
  if (!peer) {
    print_row("eqt", ours, batch_size);
    std::printf("  load average (1/5/15 min) at each phase: %s | %s\n", loads.c_str(), load_average().c_str());
    return nullptr;
  }
  loads += " | " + load_average();
  const nlohmann::json j = run_peer(*peer, mode);
  if (check) check(j);
  loads += " | " + load_average();
  ours_run(ours);
  loads += " | " + load_average();
  const Side theirs = peer_side(j);
  print_row("eqt", ours, batch_size);
  print_row("official", theirs, batch_size);
  const std::string gpu = j.contains("gpu_name") && j.at("gpu_name").is_string() ? ", " + j.at("gpu_name").get<std::string>() : "";
  std::printf("  ratio eqt/official: %.2fx   (official: torch %s, BLAS %s, device %s%s)\n",
              ours.structures_per_s(batch_size) / theirs.structures_per_s(batch_size),
              j.value("torch_version", "?").c_str(), j.value("torch_blas_info", "?").c_str(),
              j.value("device", "cpu").c_str(), gpu.c_str());
  std::printf("  load average (1/5/15 min) at each phase: %s\n", loads.c_str());
  std::fflush(stdout);
  return j;
}

// libgomp busy-waits at barriers by default and reads OMP_WAIT_POLICY only when it loads. On a
// shared 2-core machine a spinning thread steals the core its partner needs: perf showed 65% of
// eqt's samples in libgomp's spin loop and PASSIVE made infer 3.4x faster. So the program re-runs
// itself with PASSIVE unless the caller chose a policy; the harness inherits it (same for both).
inline void ensure_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::execv("/proc/self/exe", argv);  // only returns on failure: then go on with the default policy
}

}  // namespace eqt_bench
