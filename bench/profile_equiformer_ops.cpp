// Per-op profile of eqt's Equiformer (MD17 Lmax=2 preset, one batch of 8 aspirin frames, float32,
// 2 threads) for infer (energy + forces) or a train step (forces in the graph, backward, AdamW),
// recorded with LibTorch's legacy autograd profiler as a chrome trace; tools/profile_self_time.py
// sums the self time per op. Run from the repository root:
//   OMP_WAIT_POLICY=PASSIVE build/bench/profile_equiformer_ops train /tmp/train.json [repeats]
//   python3 tools/profile_self_time.py /tmp/train.json
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <string>

#include "eqt/core/allocator.h"
#include "eqt/data/batch.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/labels.h"
#include "eqt/models/equiformer/config.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/potential.h"
#include "eqt/train/fused_adamw.h"
#include "profile_steps.h"

int main(int argc, char** argv) {
  at::set_num_threads(2);
  eqt::keep_freed_memory_for_reuse();  // as the eqt command does
  const std::string mode = argc > 1 ? argv[1] : "infer";
  const std::string trace = argc > 2 ? argv[2] : "/tmp/speed-prof/trace.json";
  const int reps = argc > 3 ? std::stoi(argv[3]) : 1;
  auto config = eqt::models::equiformer::config_from_yaml(YAML::LoadFile("examples/presets/equiformer_md17_l2.yaml")["equiformer"]);
  eqt::models::equiformer::EquiformerModel model(config, at::kFloat);
  eqt::data::FrameRange range;
  range.stop = 8;
  auto frames = eqt::data::read_extxyz("../shared/data/rmd17/rmd17_aspirin_test.xyz", range);
  std::vector<const eqt::data::Structure*> ptrs;
  for (auto& f : frames) ptrs.push_back(&f);
  eqt::train::FusedAdamW opt(model.parameters(), torch::optim::AdamWOptions(5e-4));
  const auto step = [&] {
    const auto g = eqt::data::collate(ptrs, model.cutoff(), at::kFloat);
    eqt::models::EvaluateOptions eo;
    eo.energy_key = "energy_raw";
    if (mode == "train") {
      model.train();
      eo.create_graph = true;
      const auto r = eqt::models::evaluate(model, g, eo);
      const at::Tensor loss = r.energy.square().mean() + 80.0 * r.forces.square().mean();
      opt.zero_grad();
      loss.backward();
      opt.step();
    } else {
      model.eval();
      eqt::models::evaluate(model, g, eo);
    }
  };
  eqt_bench::profile_steps(step, mode, trace, reps, /*warmup=*/1);
}
