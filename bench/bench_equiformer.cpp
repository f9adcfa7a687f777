// Equiformer throughput, eqt against the official Python code on the same weights, in one run.
//
// The paper's MD17 Lmax=2 model (examples/presets/equiformer_md17_l2.yaml, 3.50 M parameters) is
// built by eqt, its weights exported under the official names (safetensors + config.json in a
// temporary folder) and given to shared/peers/time_official.py, which runs the official code on
// Debian's python3-torch on the CPU (or, with --device other than cpu or --peer-harness device, to
// bench/official_on_device.py, which runs it on that device with synchronised clocks). Both sides
// then time, on the same batches (batch k = frames k*B .. k*B+B-1 of the data file):
//   infer: energy + forces of a batch (neighbour list / radius graph included on both sides; the
//          official model always builds the force graph with create_graph=True, eqt does not)
//   train: forward with forces in the graph, 1*L2MAE(E) + 80*L2MAE(F) on normalised targets,
//          backward, AdamW step (lr 5e-4, weight decay 1e-6 except biases / norm affines)
// eqt's step is (a) neighbour list + collate on the CPU, (b) the graph's copy to --device, (c) the
// model step there; the figures are a+b+c (as the official one includes its radius graph), and
// the medians of each part and the neighbour-list share (a+b)/(a+b+c) are printed below them.
// The training labels are on the device before the clock starts, on both sides.
// Before timing, the official energy of one batch is compared with eqt's (same model check).
// eqt and official repeats are interleaved (eqt, official, eqt) so that load changes on a shared
// machine hit both. Medians are reported.
//
//   bench_equiformer [--quick] [--threads 2] [--batch-size 8] [--repeats R] [--no-peer] [--modes infer,train]
//                    [--src-root DIR (default $EQT_PEER_SRC or /work/peer-src)] [--data FILE]
//                    [--preset FILE] [--python /usr/bin/python3] [--harness FILE] [--device cpu|cuda|cuda:N]
//                    [--peer-harness shared|device] [--device-harness FILE] [--e3nn-jit on|off]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "equiformer_peer.h"
#include "eqt/core/allocator.h"
#include "eqt/core/threads.h"
#include "eqt/core/torch_warnings.h"
#include "eqt/data/batch.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/labels.h"
#include "eqt/models/equiformer/config.h"
#include "eqt/models/potential.h"
#include "eqt/train/fused_adamw.h"

namespace {

using eqt::models::equiformer::EquiformerModel;
namespace fs = std::filesystem;

struct Options : eqt_bench::CommonOptions {
  int warmup = 1;
  fs::path data = "../shared/data/rmd17/rmd17_aspirin_test.xyz";
  Options() { preset = "examples/presets/equiformer_md17_l2.yaml"; }
};

Options parse(int argc, char** argv) {
  Options o;
  eqt_bench::parse_options(argc, argv, o, [&](const std::string& flag, const std::function<std::string()>& next) {
    if (flag != "--data") return false;
    o.data = next();
    return true;
  }, "bench_equiformer.cpp");
  if (o.repeats <= 0) o.repeats = o.quick ? 2 : 5;
  return o;
}

using eqt_bench::Clock;
using eqt_bench::Dataset;
using eqt_bench::Side;
using eqt_bench::since;

// Batch k collated on the CPU (a) and copied to the device (b), with the seconds of each.
eqt::data::Graph graph_on_device(const EquiformerModel& model, const Dataset& d, const Options& o, int k,
                                 double& collate_s, double& copy_s) {
  const auto t0 = Clock::now();
  const eqt::data::Graph cpu = eqt::data::collate(d.batch(k, o.batch_size), model.cutoff(), at::kFloat);
  collate_s = since(t0);
  return eqt_bench::copy_to_device(cpu, o.torch_device, copy_s);
}

// Energy + forces of batches [0, warmup + repeats).
void time_infer(EquiformerModel& model, const Dataset& d, const Options& o, Side& side, eqt_bench::StepParts& parts) {
  model.eval();
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    double collate_s = 0.0, copy_s = 0.0;
    const eqt::data::Graph g = graph_on_device(model, d, o, k, collate_s, copy_s);
    const auto t0 = Clock::now();
    eqt::models::EvaluateOptions eo;
    eo.energy_key = "energy_raw";
    const auto r = eqt::models::evaluate(model, g, eo);
    eqt_bench::record_step(o.torch_device, k >= o.warmup, collate_s, copy_s, t0, true, g.num_atoms(), side, parts);
  }
}

at::Tensor energy_raw_of(EquiformerModel& model, const Dataset& d, const Options& o, int k) {
  double collate_s = 0.0, copy_s = 0.0;
  const eqt::data::Graph g = graph_on_device(model, d, o, k, collate_s, copy_s);
  return model.forward(g).at("energy_raw").detach();
}

at::Tensor l2mae(const at::Tensor& a, const at::Tensor& b) {
  return at::linalg_vector_norm(a - b, 2, {-1}, false, c10::nullopt).mean();
}

// AdamW as the official MD17 scripts: no weight decay on biases and norm affines.
std::unique_ptr<eqt::train::FusedAdamW> make_optimizer(EquiformerModel& model) {
  std::vector<at::Tensor> decay, no_decay;
  for (const auto& p : model.named_parameters()) {
    const std::string& n = p.key();
    const auto ends = [&](const std::string& s) {
      return n.size() >= s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0;
    };
    const bool nd = ends(".bias") || n.find("bias.") != std::string::npos || ends(".affine_weight") ||
                    ends(".affine_bias") || ends(".mean_shift");
    (nd ? no_decay : decay).push_back(p.value());
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(no_decay, std::make_unique<torch::optim::AdamWOptions>(
                                    torch::optim::AdamWOptions(5e-4).weight_decay(0.0).eps(1e-8)));
  groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(
                                 torch::optim::AdamWOptions(5e-4).weight_decay(1e-6).eps(1e-8)));
  return std::make_unique<eqt::train::FusedAdamW>(std::move(groups),
                                               torch::optim::AdamWOptions(5e-4).weight_decay(1e-6));
}

void time_train(EquiformerModel& model, torch::optim::AdamW& opt, const Dataset& d, const Options& o, Side& side,
                eqt_bench::StepParts& parts) {
  model.train();
  for (int k = 0; k < o.warmup + o.repeats; ++k) {
    std::vector<double> y;
    std::vector<at::Tensor> dy;
    for (int i = 0; i < o.batch_size; ++i) {
      const std::size_t f = (k * o.batch_size + i) % d.frames.size();
      y.push_back((d.energies[f] - d.mean) / d.std);
      dy.push_back(d.forces[f] / d.std);
    }
    const at::Tensor ty = at::tensor(y, at::kFloat).to(o.torch_device);
    const at::Tensor tdy = at::cat(dy).to(at::kFloat).to(o.torch_device);
    double collate_s = 0.0, copy_s = 0.0;
    const eqt::data::Graph g = graph_on_device(model, d, o, k, collate_s, copy_s);
    const auto t0 = Clock::now();
    eqt::models::EvaluateOptions eo;
    eo.energy_key = "energy_raw";
    eo.create_graph = true;
    const auto r = eqt::models::evaluate(model, g, eo);
    const at::Tensor loss = l2mae(r.energy.unsqueeze(-1), ty.unsqueeze(-1)) + 80.0 * l2mae(r.forces, tdy);
    opt.zero_grad();
    loss.backward();
    opt.step();
    eqt_bench::record_step(o.torch_device, k >= o.warmup, collate_s, copy_s, t0, true, g.num_atoms(), side, parts);
  }
  model.eval();
}

// Interleaves eqt, official, eqt for one mode and prints both and the ratio.
void compare(const std::string& mode, EquiformerModel& model, const Dataset& d, const Options& o,
             const eqt_bench::PeerSettings* peer, torch::optim::AdamW& opt, const at::Tensor* check) {
  eqt_bench::StepParts parts;
  const auto run_ours = [&](Side& ours) {
    if (mode == "infer") time_infer(model, d, o, ours, parts);
    else time_train(model, opt, d, o, ours, parts);
  };
  const auto same_model = [&](const nlohmann::json& j) {
    if (!check || !j.contains("energy_first_structure_raw")) return;
    eqt_bench::check_same_model((*check)[0].item<double>(), j.at("energy_first_structure_raw").get<double>(), 1e-4,
                                "raw energy, first structure of batch " + std::to_string(o.warmup + o.repeats - 1));
  };
  const nlohmann::json j = eqt_bench::compare_sides(mode, o.batch_size, run_ours, peer, mode, same_model);
  eqt_bench::print_parts(parts, o.torch_device, "(a)+(b)+(c), as the official figure includes its radius graph");
  if (j.is_object() && j.contains("radius_graph_sec_median")) {
    std::printf("  official radius graph (on %s, inside its figure): %.3f ms\n", j.value("device", "cpu").c_str(),
                1e3 * j.at("radius_graph_sec_median").get<double>());
  }
  if (j.is_object() && j.contains("e3nn_opt_defaults")) {  // --e3nn-jit off shows here
    std::printf("  official e3nn optimisation defaults: %s\n", j.at("e3nn_opt_defaults").dump().c_str());
  }
  std::fflush(stdout);
}

int64_t parameter_count(EquiformerModel& model) {
  int64_t n = 0;
  for (const auto& p : model.parameters()) n += p.numel();
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  eqt_bench::ensure_wait_policy(argv);
  eqt::install_torch_warning_handler();  // as the eqt command: no glog lines for LibTorch's notices
  try {
    const Options o = parse(argc, argv);
    eqt::set_num_threads(o.threads);
    eqt::keep_freed_memory_for_reuse();  // as the eqt command does
    at::manual_seed(0);
    const Dataset d = eqt_bench::read_dataset(o.data, o.batch_size, o.warmup + o.repeats);
    auto config = eqt::models::equiformer::config_from_yaml(YAML::LoadFile(o.preset.string())["equiformer"]);
    config.mean = d.mean;
    config.std = d.std;
    config.smooth_cutoff = false;  // the published model, as the official code runs it (same-model check)
    EquiformerModel model(config, at::kFloat);
    std::printf("Equiformer benchmark: preset %s, %lld parameters, float32, device %s (%s), %d threads (at::get_num_threads %d), "
                "OMP_WAIT_POLICY=%s, batch %d, %d warm-up + %d timed batches per side and phase, data %s (%zu frames used)\n",
                o.preset.c_str(), static_cast<long long>(parameter_count(model)), o.torch_device.str().c_str(),
                eqt::libtorch_description().c_str(), o.threads, at::get_num_threads(),
                std::getenv("OMP_WAIT_POLICY"), o.batch_size, o.warmup, o.repeats, o.data.c_str(), d.frames.size());
    std::unique_ptr<eqt_bench::PeerSettings> peer;
    fs::path export_dir;
    if (o.peer) {
      const std::string missing = eqt_bench::missing_equiformer_sources(o.src_root);
      if (!missing.empty()) throw std::runtime_error(missing + "\n  or run with --no-peer (eqt only)");
      peer = std::make_unique<eqt_bench::PeerSettings>();
      eqt_bench::set_peer_common(*peer, o);
      peer->model = "equiformer";
      peer->data = fs::absolute(o.data);
      export_dir = fs::temp_directory_path() / ("eqt_bench_equiformer_" + std::to_string(::getpid()));
      peer->log = export_dir / "official.log";
      peer->config_json = export_dir / "config.json";
      peer->weights = export_dir / "weights.safetensors";
      peer->warmup = o.warmup;
      eqt_bench::export_for_peer(model, export_dir);  // from the CPU model, before it moves
      std::printf("official: %s (weights exported to %s)\n", eqt_bench::peer_description(*peer).c_str(),
                  export_dir.c_str());
    }
    std::fflush(stdout);
    model.to(o.torch_device);
    auto opt = make_optimizer(model);
    // Energy used for the same-model check: eqt's on the batch the harness reports (its last one).
    const at::Tensor check = energy_raw_of(model, d, o, o.warmup + o.repeats - 1);
    if (o.modes.find("infer") != std::string::npos) compare("infer", model, d, o, peer.get(), *opt, &check);
    if (o.modes.find("train") != std::string::npos) compare("train", model, d, o, peer.get(), *opt, nullptr);
    if (peer) fs::remove_all(export_dir);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_equiformer: %s\n", e.what());
    return 1;
  }
}
