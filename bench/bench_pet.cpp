// PET throughput, eqt against the official Python code (spozdn/pet) on the same weights, in one run.
//
// PET with the official default architecture (examples/presets/pet_default.yaml = the
// ARCHITECTURAL_HYPERS of default_hypers.yaml; 3 GNN layers x 3 transformer layers, d_model 128,
// r_cut 5) is built by eqt with random weights, which are exported under the official state-dict
// names and loaded by shared/peers/time_official.py into the official model (on the CPU; with
// --device other than cpu or --peer-harness device, by bench/official_on_device.py on that device,
// with synchronised clocks). For each data file
// (default: methane_val and rMD17 aspirin) both sides time, on the same batches (batch k = frames
// k*B .. k*B+B-1 of the file), float32:
//   infer: energy + forces of a batch
//   train: forward with forces in the graph (create_graph), 0.1*MSE(E)/rmse_E^2 + MSE(F)/rmse_F^2,
//          backward, AdamW step (lr 1e-4, weight decay 0; the official default fitting scheme)
// Headline figures are the model call only, as the harness reports them (the official graph
// building is Python-side bookkeeping, reported on its own): eqt's neighbour list + collate is
// excluded likewise and printed separately. eqt's step is (a) neighbour list + collate on the CPU
// (once per batch, before the timings), (b) the graph's copy to --device, (c) the model step there;
// the figures are (c), the official ones its model call after its batch.to(device); the medians of
// (a), (b), (c) and the neighbour-list share (a+b)/(a+b+c) are printed below them. The training
// labels are on the device before the clock starts, on both sides. The official training step also rotates each
// structure at random (GLOBAL_AUG); eqt's does not (a [N, 3] product, negligible).
// Before timing, the official energy of one batch is compared with eqt's (same-model check).
// eqt and official runs are interleaved (eqt, official, eqt). Medians are reported.
//
//   bench_pet [--quick] [--threads 2] [--batch-size 8] [--repeats R] [--no-peer] [--modes infer,train]
//             [--data FILE]... (default methane_val + rmd17 aspirin) [--preset FILE]
//             [--src-root DIR (default $EQT_PEER_SRC or /work/peer-src)] [--python /usr/bin/python3] [--harness FILE]
//             [--device cpu|cuda|cuda:N] [--peer-harness shared|device] [--device-harness FILE]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "eqt/core/allocator.h"
#include "eqt/core/threads.h"
#include "eqt/core/torch_warnings.h"
#include "eqt/data/batch.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/potential.h"
#include "eqt/train/fused_adamw.h"
#include "pet_peer.h"

namespace {

using eqt::models::pet::PetModel;
using eqt_bench::Clock;
using eqt_bench::Dataset;
using eqt_bench::Side;
using eqt_bench::since;
namespace fs = std::filesystem;

constexpr double kEnergyWeight = 0.1;   // official FITTING_SCHEME.ENERGY_WEIGHT
constexpr double kLearningRate = 1e-4;  // official FITTING_SCHEME.INITIAL_LR

struct Options : eqt_bench::CommonOptions {
  int warmup = 2;
  std::vector<fs::path> data;
  Options() { preset = "examples/presets/pet_default.yaml"; }
};

Options parse(int argc, char** argv) {
  Options o;
  eqt_bench::parse_options(argc, argv, o, [&](const std::string& flag, const std::function<std::string()>& next) {
    if (flag != "--data") return false;
    o.data.push_back(next());
    return true;
  }, "bench_pet.cpp");
  if (o.repeats <= 0) o.repeats = o.quick ? 3 : 7;
  if (o.data.empty()) {
    o.data = {"../shared/data/methane/methane_val.xyz", "../shared/data/rmd17/rmd17_aspirin_test.xyz"};
  }
  return o;
}

// Graphs of all batches, built once on the CPU (graph building is not part of the headline figure).
struct Batches {
  std::vector<eqt::data::Graph> graphs;
  std::vector<double> collate_seconds;
};

Batches build_batches(const Dataset& d, const Options& o, double cutoff) {
  Batches b;
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    const auto t0 = Clock::now();
    b.graphs.push_back(eqt::data::collate(d.batch(k, o.batch_size), cutoff, at::kFloat));
    b.collate_seconds.push_back(since(t0));
  }
  return b;
}

void time_infer(PetModel& model, const Batches& b, const Options& o, Side& side, eqt_bench::StepParts& parts) {
  model.eval();
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    double copy_s = 0.0;
    const eqt::data::Graph g = eqt_bench::copy_to_device(b.graphs[k], o.torch_device, copy_s);
    const auto t0 = Clock::now();
    const auto r = eqt::models::evaluate(model, g);
    eqt_bench::record_step(o.torch_device, k >= o.warmup, b.collate_seconds[k], copy_s, t0, false, g.num_atoms(), side,
                           parts);  // the headline is the model step (c), as the official figure
  }
}

// The harness's loss scales: RMSE of the (baseline-corrected) energies and of the force components.
struct LossScales {
  double energy = 1.0, forces = 1.0;
};

LossScales loss_scales(const Dataset& d) {
  LossScales s;
  s.energy = d.std > 0.0 ? d.std : 1.0;
  const at::Tensor f = at::cat(d.forces);
  const double rms = f.square().mean().sqrt().item<double>();
  if (rms > 0.0) s.forces = rms;
  return s;
}

void time_train(PetModel& model, torch::optim::AdamW& opt, const Dataset& d, const Batches& b, const Options& o,
                Side& side, eqt_bench::StepParts& parts) {
  model.train();
  const LossScales scales = loss_scales(d);
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    std::vector<double> y;
    std::vector<at::Tensor> dy;
    for (int i = 0; i < o.batch_size; ++i) {
      const std::size_t f = d.frame_of(k, o.batch_size, i);
      y.push_back(d.energies[f] - d.mean);
      dy.push_back(d.forces[f]);
    }
    const at::Tensor ty = at::tensor(y, at::kFloat).to(o.torch_device);
    const at::Tensor tdy = at::cat(dy).to(at::kFloat).to(o.torch_device);
    double copy_s = 0.0;
    const eqt::data::Graph g = eqt_bench::copy_to_device(b.graphs[k], o.torch_device, copy_s);
    const auto t0 = Clock::now();
    const eqt::OneThreadScope one_thread(model.prefers_one_thread(g));  // as eqt train does
    eqt::models::EvaluateOptions eo;
    eo.create_graph = true;
    const auto r = eqt::models::evaluate(model, g, eo);
    const at::Tensor loss = kEnergyWeight * (r.energy - ty).square().mean() / (scales.energy * scales.energy) +
                            (r.forces - tdy).square().mean() / (scales.forces * scales.forces);
    opt.zero_grad();
    loss.backward();
    opt.step();
    eqt_bench::record_step(o.torch_device, k >= o.warmup, b.collate_seconds[k], copy_s, t0, false, g.num_atoms(), side,
                           parts);  // the headline is the model step (c), as the official figure
  }
  model.eval();
}

int64_t parameter_count(PetModel& model) {
  int64_t n = 0;
  for (const auto& p : model.parameters()) n += p.numel();
  return n;
}

// eqt's step parts and the official graph building (ASE neighbour list + Python padding, collate
// and, from official_on_device.py, the batch's copy to the device), none of it in the figures.
void print_graph_building(const nlohmann::json& j, const eqt_bench::StepParts& parts, const Options& o) {
  eqt_bench::print_parts(parts, o.torch_device, "(c) only, as the official figure is its model call only");
  if (j.is_null()) return;
  std::printf("  official graph building (not in its figure): neighbour lists %.3f ms + collate %.3f ms",
              1e3 * j.value("neighbour_list_sec_median", 0.0), 1e3 * j.value("collate_sec_median", 0.0));
  if (j.contains("h2d_sec_median")) {
    std::printf(" + copy to %s %.3f ms", j.value("device", "cpu").c_str(), 1e3 * j.at("h2d_sec_median").get<double>());
  }
  std::printf("\n");
  std::fflush(stdout);
}

void run_file(const fs::path& file, const eqt::models::pet::PetConfig& config, const nlohmann::json& arch,
              const Options& o) {
  at::manual_seed(0);
  const Dataset d = eqt_bench::read_dataset(file, o.batch_size, o.warmup + o.repeats);
  PetModel model(config.hypers, config.all_species, at::kFloat);
  const Batches batches = build_batches(d, o, model.cutoff());
  std::printf("\n=== %s: %zu frames used, %lld atoms per batch of %d, PET %lld parameters ===\n", file.c_str(),
              d.frames.size(), static_cast<long long>(batches.graphs[0].num_atoms()), o.batch_size,
              static_cast<long long>(parameter_count(model)));
  std::unique_ptr<eqt_bench::PeerSettings> peer;
  if (o.peer) {
    peer = std::make_unique<eqt_bench::PeerSettings>();
    eqt_bench::set_peer_common(*peer, o);
    peer->model = "pet";
    peer->data = fs::absolute(file);
    const fs::path dir = fs::temp_directory_path() / ("eqt_bench_pet_" + std::to_string(::getpid()));
    peer->log = dir / "official.log";
    peer->config_json = dir / "config.json";
    peer->weights = dir / "weights.safetensors";
    peer->warmup = o.warmup;
    eqt_bench::export_pet_for_peer(model, arch, dir);  // from the CPU model, before it moves
  }
  std::fflush(stdout);
  model.to(o.torch_device);
  eqt::train::FusedAdamW opt(model.parameters(), torch::optim::AdamWOptions(kLearningRate).weight_decay(0.0));
  const int last = o.warmup + o.repeats - 1;  // the harness reports the energy of its last batch
  model.eval();
  const double check = model.forward(batches.graphs[last].to(o.torch_device)).at("energy")[0].item<double>();
  if (o.modes.find("infer") != std::string::npos) {
    const auto same_model = [&](const nlohmann::json& j) {
      eqt_bench::check_same_model(check, j.at("energy_first_structure").get<double>(), 1e-4,
                                  "energy, first structure of batch " + std::to_string(last));
    };
    eqt_bench::StepParts parts;
    const auto j = eqt_bench::compare_sides(
        "infer: energy + forces", o.batch_size, [&](Side& s) { time_infer(model, batches, o, s, parts); },
        peer.get(), "infer", same_model);
    print_graph_building(j, parts, o);
  }
  if (o.modes.find("train") != std::string::npos) {
    eqt_bench::StepParts parts;
    const auto j = eqt_bench::compare_sides(
        "train: forces in the graph, loss, backward, AdamW", o.batch_size,
        [&](Side& s) { time_train(model, opt, d, batches, o, s, parts); }, peer.get(), "train", nullptr);
    print_graph_building(j, parts, o);
  }
  if (peer) fs::remove_all(peer->config_json.parent_path());
}

}  // namespace

int main(int argc, char** argv) {
  eqt_bench::ensure_wait_policy(argv);
  eqt::install_torch_warning_handler();  // as the eqt command: no glog lines for LibTorch's notices
  try {
    const Options o = parse(argc, argv);
    eqt::set_num_threads(o.threads);
    eqt::keep_freed_memory_for_reuse();  // as the eqt command does
    if (o.peer) {
      const std::string missing = eqt_bench::missing_pet_sources(o.src_root);
      if (!missing.empty()) throw std::runtime_error(missing + "\n  or run with --no-peer (eqt only)");
    }
    const auto config = eqt::models::pet::load_pet_preset(o.preset);
    const nlohmann::json arch =
        eqt::models::pet::yaml_to_json(YAML::LoadFile(o.preset.string())["pet"]["ARCHITECTURAL_HYPERS"]);
    eqt_bench::PeerSettings shown;
    eqt_bench::set_peer_common(shown, o);
    std::printf("PET benchmark: preset %s, float32, device %s (%s), %d threads (at::get_num_threads %d), "
                "OMP_WAIT_POLICY=%s, batch %d, %d warm-up + %d timed batches per side and phase, official: %s\n",
                o.preset.c_str(), o.torch_device.str().c_str(), eqt::libtorch_description().c_str(), o.threads,
                at::get_num_threads(), std::getenv("OMP_WAIT_POLICY"), o.batch_size, o.warmup, o.repeats,
                o.peer ? eqt_bench::peer_description(shown).c_str() : "not run");
    for (const auto& file : o.data) run_file(file, config, arch, o);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_pet: %s\n", e.what());
    return 1;
  }
}
