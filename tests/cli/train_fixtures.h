#pragma once
// What the end-to-end training tests share: a small labelled dataset with a tiny config, a run's
// final weights, and the rows of its metrics.csv.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "eqt/train/checkpoint.h"
#include "eqt/train/model_factory.h"
#include "support/train_data.h"

namespace eqt::testing {

struct Data {
  std::filesystem::path train, val, config;
};

inline Data make_data(const std::filesystem::path& dir, int train_frames, const std::string& extra) {
  Data d{dir / "train.xyz", dir / "val.xyz", dir / "cfg.yaml"};
  TrainDataOptions o;
  o.frames = train_frames;
  write_pair_potential_dataset(d.train, o);
  o.frames = 8;
  o.seed = 1;
  write_pair_potential_dataset(d.val, o);
  std::ofstream(d.config) << tiny_train_config(d.train, d.val, extra);
  return d;
}

// Last-checkpoint weights (model and EMA) of a run directory.
inline std::vector<std::pair<std::string, at::Tensor>> final_weights(const std::filesystem::path& run, const std::string& part) {
  const auto state = train::read_checkpoint_state(run / "checkpoints" / "last");
  train::ModelRecipe recipe{state.extra.at("kind").get<std::string>(), state.extra.at("architecture")};
  auto skeleton = train::build_model(recipe, {{"mean", 0.0}, {"std", 1.0}, {"reference_energies", {}}}, at::kDouble);
  return train::checkpoint_weights(run / "checkpoints" / "last", *skeleton, part);
}

// Data rows (not the header) of a metrics.csv.
inline std::size_t data_rows(const std::filesystem::path& metrics) {
  std::ifstream in(metrics);
  std::size_t lines = 0;
  std::string line;
  while (std::getline(in, line)) ++lines;
  return lines > 0 ? lines - 1 : 0;
}

}  // namespace eqt::testing
