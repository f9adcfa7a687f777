// ECSE cost over its backbone: PET alone and wrapped in ECSE (official default sp hypers), energy
// and forces of the same batch, in the same run, for several data sets; prints how many frames
// ECSE builds per atom and per structure and the slow-down.
//
//   bench_ecse [--preset FILE | --pet DIR] [--data FILE:BATCH]... [--dtypes float32,float64]
//              [--repeats 3] [--warmup 1] [--threads 2] [--max-atoms-per-call N]
//              [--pruning single|official]
//
// Default backbone: examples/presets/pet_default.yaml (the official default PET architecture,
// random weights: timing and frame counts do not depend on the weight values); --pet DIR loads a
// reference directory (config.json + weights.safetensors) instead. Default data: the first 8
// frames of methane_val and of rMD17 aspirin, and 1 frame of the periodic DeePMD water (192
// atoms; ECSE evaluates a full copy of the structure per frame, so larger batches do not fit).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "eqt/core/allocator.h"
#include "eqt/core/threads.h"
#include "eqt/data/batch.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/potential.h"
#include "peer_harness.h"

namespace {

namespace fs = std::filesystem;

struct DataSpec {
  fs::path file;
  int64_t batch;
};

struct Options {
  fs::path preset = "examples/presets/pet_default.yaml";
  fs::path pet;  // reference directory; overrides preset
  std::vector<DataSpec> data;
  std::vector<c10::ScalarType> dtypes = {at::kFloat};
  int repeats = 3;
  int warmup = 1;  // untimed calls before the timed ones
  int threads = 2;
  int64_t max_atoms_per_call = eqt::models::ecse::kDefaultMaxAtomsPerCall;
  std::string pruning = "single";  // PRUNING_MODE: eqt's default, or the official repeated passes
};

std::vector<c10::ScalarType> parse_dtypes(const std::string& list) {
  std::vector<c10::ScalarType> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    if (name == "float32") out.push_back(at::kFloat);
    else if (name == "float64") out.push_back(at::kDouble);
    else throw std::runtime_error("unknown dtype " + name);
    start = comma + 1;
  }
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int k = 1; k + 1 < argc; k += 2) {
    const std::string key = argv[k], value = argv[k + 1];
    if (key == "--preset") o.preset = value;
    else if (key == "--pet") o.pet = value;
    else if (key == "--dtypes") o.dtypes = parse_dtypes(value);
    else if (key == "--repeats") o.repeats = std::stoi(value);
    else if (key == "--threads") o.threads = std::stoi(value);
    else if (key == "--warmup") o.warmup = std::stoi(value);
    else if (key == "--max-atoms-per-call") o.max_atoms_per_call = std::stoll(value);
    else if (key == "--pruning") {
      if (value != "single" && value != "official") throw std::runtime_error("--pruning: single or official");
      o.pruning = value;
    }
    else if (key == "--data") {
      const auto colon = value.rfind(':');
      if (colon == std::string::npos) o.data.push_back({value, 8});
      else o.data.push_back({value.substr(0, colon), std::stoll(value.substr(colon + 1))});
    } else throw std::runtime_error("unknown option " + key);
  }
  if (o.data.empty()) {
    o.data = {{"../shared/data/methane/methane_val.xyz", 8},
              {"../shared/data/rmd17/rmd17_aspirin_test.xyz", 8},
              {"../shared/data/water/water_deepmd_train.xyz", 1}};
  }
  return o;
}

std::shared_ptr<eqt::models::pet::PetModel> make_pet(const Options& o, c10::ScalarType dtype) {
  if (!o.pet.empty()) return eqt::models::pet::load_pet_reference(o.pet, dtype).model;
  at::manual_seed(0);
  const auto config = eqt::models::pet::load_pet_preset(o.preset);
  return std::make_shared<eqt::models::pet::PetModel>(config.hypers, config.all_species, dtype);
}

// Median wall time in ms of energy + forces (after `warmup` untimed calls).
double time_ms(eqt::models::Model& model, const eqt::data::Graph& graph, int repeats, int warmup) {
  std::vector<double> times;
  for (int w = 0; w < warmup; ++w) eqt::models::evaluate(model, graph);
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    eqt::models::evaluate(model, graph);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return eqt_bench::median(times);
}

void run(const DataSpec& spec, c10::ScalarType dtype, const Options& o) {
  auto pet = make_pet(o, dtype);
  eqt::models::ecse::EcseOptions options;
  options.max_atoms_per_call = o.max_atoms_per_call;
  options.hypers.pruning_mode = o.pruning;
  eqt::models::ecse::EcseModel ecse(pet, nullptr, options);
  const auto structures = eqt::data::read_extxyz(spec.file, {0, spec.batch, 1});
  std::vector<const eqt::data::Structure*> pointers;
  for (const auto& s : structures) pointers.push_back(&s);
  const auto graph = eqt::data::collate(pointers, pet->cutoff(), dtype);
  const std::string load_before = eqt_bench::load_average();
  // Frame statistics first (no backbone call), so that they are printed even when ECSE does not fit.
  const eqt::models::ecse::FrameSet set = [&] {
    at::NoGradGuard no_grad;
    return ecse.frames(graph);
  }();
  const at::Tensor per_structure = set.frames_per_structure.to(at::kDouble);
  const at::Tensor per_atom = set.frames_per_atom.to(at::kDouble);
  const double copies = per_structure.sum().item<double>();
  std::printf("%s: %zu structures, %lld atoms, %lld edges, %s, %d threads\n", spec.file.filename().c_str(),
              structures.size(), static_cast<long long>(graph.num_atoms()), static_cast<long long>(graph.num_edges()),
              dtype == at::kFloat ? "float32" : "float64", at::get_num_threads());
  std::printf("  frames per structure: mean %.1f, max %.0f (backbone copies: %.0f structures, %.0f atoms, %.0f edges)\n",
              per_structure.mean().item<double>(), per_structure.max().item<double>(), copies,
              copies * graph.num_atoms() / static_cast<double>(structures.size()),
              copies * graph.num_edges() / static_cast<double>(structures.size()));
  std::printf("  frames per atom: mean %.2f, max %.0f (centres with frames: %lld of %lld)\n",
              per_atom.mean().item<double>(), per_atom.max().item<double>(),
              static_cast<long long>((set.frames_per_atom > 0).sum().item<int64_t>()),
              static_cast<long long>(graph.num_atoms()));
  std::fflush(stdout);
  const double plain = time_ms(*pet, graph, o.repeats, o.warmup);
  std::printf("  PET energy+forces: %.1f ms", plain);
  std::fflush(stdout);
  try {
    const double symmetrised = time_ms(ecse, graph, o.repeats, o.warmup);
    std::printf("; ECSE(PET): %.1f ms; slow-down x%.1f", symmetrised, symmetrised / plain);
  } catch (const std::exception& e) {
    std::printf("; ECSE(PET) failed: %s", std::string(e.what()).substr(0, 160).c_str());
  }
  std::printf("   (load average %s | %s)\n", load_before.c_str(), eqt_bench::load_average().c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  eqt_bench::ensure_wait_policy(argv);  // see peer_harness.h: spinning OpenMP threads on a shared machine
  try {
    const Options o = parse(argc, argv);
    eqt::set_num_threads(o.threads);
    eqt::keep_freed_memory_for_reuse();  // as the eqt command does
    std::printf("ECSE(PET) vs PET, backbone %s, default ECSE hypers (official values, %s pruning), %d timed repeats (median), OMP_WAIT_POLICY=%s\n",
                o.pet.empty() ? o.preset.c_str() : o.pet.c_str(), o.pruning.c_str(), o.repeats,
                std::getenv("OMP_WAIT_POLICY"));
    for (const auto dtype : o.dtypes) {
      for (const auto& spec : o.data) run(spec, dtype, o);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_ecse: %s\n", e.what());
    return 1;
  }
}
