// Per-op profile of eqt's PET (official default architecture, examples/presets/pet_default.yaml,
// random weights) on one batch of 8 frames, float32, for infer (energy + forces) or a train
// step (forces in the graph, backward, AdamW), recorded with LibTorch's legacy autograd profiler
// as a chrome trace; tools/profile_self_time.py sums the self time per op. From the repository
// root:
//   OMP_WAIT_POLICY=PASSIVE build/bench/profile_pet_ops infer /tmp/pet.json [repeats] [threads] [xyz] [frames]
//   python3 tools/profile_self_time.py /tmp/pet.json
// A trace "none" times the steps without the profiler; a 6th argument sets the batch size.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <cstdio>
#include <string>

#include "eqt/core/allocator.h"
#include "eqt/core/threads.h"
#include "eqt/data/batch.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/potential.h"
#include "eqt/train/fused_adamw.h"
#include "profile_steps.h"

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "infer";
  const std::string trace = argc > 2 ? argv[2] : "none";
  const int reps = argc > 3 ? std::stoi(argv[3]) : 1;
  eqt::set_num_threads(argc > 4 ? std::stoi(argv[4]) : 2);
  eqt::keep_freed_memory_for_reuse();  // as the eqt command does
  const std::string xyz = argc > 5 ? argv[5] : "../shared/data/methane/methane_val.xyz";
  const auto config = eqt::models::pet::load_pet_preset("examples/presets/pet_default.yaml");
  at::manual_seed(0);
  eqt::models::pet::PetModel model(config.hypers, config.all_species, at::kFloat);
  eqt::data::FrameRange range;
  range.stop = argc > 6 ? std::stoi(argv[6]) : 8;
  auto frames = eqt::data::read_extxyz(xyz, range);
  std::vector<const eqt::data::Structure*> ptrs;
  for (auto& f : frames) ptrs.push_back(&f);
  const auto graph = eqt::data::collate(ptrs, model.cutoff(), at::kFloat);
  eqt::train::FusedAdamW opt(model.parameters(), torch::optim::AdamWOptions(1e-4));
  const auto step = [&] {
    eqt::models::EvaluateOptions eo;
    if (mode == "train") {
      const eqt::OneThreadScope one_thread(model.prefers_one_thread(graph));  // as eqt train does
      model.train();
      eo.create_graph = true;
      const auto r = eqt::models::evaluate(model, graph, eo);
      const at::Tensor loss = 0.1 * r.energy.square().mean() + r.forces.square().mean();
      opt.zero_grad();
      loss.backward();
      opt.step();
    } else {
      model.eval();
      eqt::models::evaluate(model, graph, eo);
    }
  };
  eqt_bench::profile_steps(step, mode, trace, reps, /*warmup=*/2);
}
