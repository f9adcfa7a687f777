#pragma once
// Training checkpoints: RUN_DIR/checkpoints/{last,best}/checkpoint.pt, one LibTorch archive
// holding everything a resumed run needs to continue bit for bit:
//   model (training weights), ema (averaged weights), optimiser (Adam moments and step counts),
//   and "state": JSON text with epoch / batch position, step, best metric, early-stopping count,
//   schedule state, normalisation and the model recipe.
// Dropout and shuffling are reseeded from (seed, step) and (seed, epoch), so no RNG state needs
// saving. The file is written atomically (temporary file, fsync, rename): a run killed at any
// moment leaves either the old or the new checkpoint, never a torn one.
#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <torch/optim/optimizer.h>

#include "eqt/models/model.h"

namespace eqt::train {

struct TrainingState {
  int64_t epoch = 0;           // current epoch (0-based)
  int64_t batch_in_epoch = 0;  // batches of `epoch` already done
  int64_t step = 0;            // optimiser steps done
  double best_metric = 0.0;
  bool have_best = false;
  int64_t best_epoch = -1;
  int64_t validations_without_improvement = 0;
  // Steps skipped for a non-finite loss or gradient since the last good one: a resumed run stops
  // after training.max_skipped_steps in a row just as the uninterrupted run would.
  int64_t skipped_in_a_row = 0;
  nlohmann::json schedule;  // LrSchedule::state()
  nlohmann::json extra;     // normalisation, recipe (for resuming and inspection)
};

nlohmann::json to_json(const TrainingState& s);
TrainingState training_state_from_json(const nlohmann::json& j);

inline constexpr const char* kCheckpointFile = "checkpoint.pt";

void write_checkpoint(const std::filesystem::path& dir, models::Model& model, models::Model& ema,
                      torch::optim::Optimizer& optimiser, const TrainingState& state);

// Only the state JSON (for resuming: it holds the recipe needed to build the models first).
TrainingState read_checkpoint_state(const std::filesystem::path& dir);
// Loads weights into model / ema and the optimiser's state; returns the training state.
TrainingState read_checkpoint(const std::filesystem::path& dir, models::Model& model, models::Model& ema,
                              torch::optim::Optimizer& optimiser);
// Named weights of one part ("model" or "ema") of a checkpoint, e.g. for comparing two runs.
std::vector<std::pair<std::string, at::Tensor>> checkpoint_weights(const std::filesystem::path& dir,
                                                                   models::Model& skeleton, const std::string& part);

}  // namespace eqt::train
