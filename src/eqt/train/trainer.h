#pragma once
// `eqt train`: from a config to a run directory
//   RUN_DIR/config.yaml          the resolved config (every key, data paths absolute)
//   RUN_DIR/normalisation.json   the fitted normalisation
//   RUN_DIR/metrics.csv          one row per validation (run_files.h)
//   RUN_DIR/train.log            plain progress lines
//   RUN_DIR/checkpoints/{last,best}/checkpoint.pt   (checkpoint.h)
//   RUN_DIR/model/               the best model (EMA weights when EMA is on), eqt's model directory
// Training stops after training.epochs, training.max_steps, training.max_minutes (wall time of
// this invocation) or early stopping, always cleanly: validation, checkpoint, export.
// Resuming (options.resume) continues from checkpoints/last exactly where the run stopped, also
// in the middle of an epoch, and gives the same weights as an uninterrupted run (same threads).
// A step whose loss or gradient is not finite is skipped (no optimiser or EMA update) with a
// warning naming the batch's structures; training.max_skipped_steps of them in a row stop the
// run with an error naming them. The weights never take a non-finite value, so no checkpoint holds one.
// With a communicator of N ranks the run is data-parallel (data_parallel.h): every rank trains on
// its part of each global batch of N x data.batch_size structures; rank 0 alone writes RUN_DIR.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace eqt::parallel {
class Communicator;
}

namespace eqt::models {
class Model;
}

namespace eqt::train {

struct TrainOptions {
  std::filesystem::path config_path;  // new runs
  std::filesystem::path run_dir;
  bool resume = false;                // continue run_dir (its config.yaml; config_path unused)
  std::vector<std::string> overrides; // "dotted.key=value"
  bool echo_log = true;               // copy train.log lines to stderr
  std::shared_ptr<parallel::Communicator> communicator;  // null: one process
  std::string device = "cpu";         // where the model and its optimiser live (core/device.h)
  // Progress hooks (the CLI draws a bar): a new epoch with its batch count, and each step.
  std::function<void(int64_t epoch, int64_t batches, int64_t done)> on_epoch_start;
  std::function<void(double loss)> on_step;
  std::function<void()> on_epoch_end;
  // A test hook: sees (and may change) this process's gradients of optimiser step `step` before
  // they are reduced across ranks and checked for non-finite values.
  std::function<void(int64_t step, models::Model& model)> on_gradients;
};

struct TrainSummary {
  int64_t epochs_done = 0;
  int64_t steps = 0;
  double best_val_loss = 0.0;
  int64_t best_epoch = -1;
  std::string stop_reason;
  std::filesystem::path model_dir;
};

TrainSummary run_training(const TrainOptions& options);

}  // namespace eqt::train
