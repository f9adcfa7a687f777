#pragma once
// Loading a model for inference from what a user passes as --model: an eqt model directory, an
// official reference export, or a training run directory (RUN_DIR holding RUN_DIR/model/ and
// RUN_DIR/metrics.csv), optionally wrapped in ECSE. Shared by predict, eval and export.
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eqt/models/model.h"

namespace eqt::cli {

struct ModelLocation {
  std::filesystem::path model_dir;              // what the loader reads
  std::optional<std::filesystem::path> run_dir;  // set when --model named a training run directory
};

// A directory with model.json or config.json is a model directory; one without either but with a
// model/ subdirectory is a run directory. Anything else is returned as given (the loader explains).
ModelLocation locate_model(const std::filesystem::path& given);

struct InferenceModelOptions {
  c10::ScalarType dtype = at::kDouble;
  bool ecse = false;
  std::string ecse_fallback;  // model directory; empty: none
  std::string ecse_pruning = "single";  // ECSE PRUNING_MODE: "single" (smooth) or "official"
};

struct InferenceModel {
  std::shared_ptr<models::Model> model;  // in eval mode, parameters without gradients
  std::vector<int64_t> species;          // empty: not recorded
  std::string source;                    // "eqt-model" or the reference class
  ModelLocation location;
};

InferenceModel load_inference_model(const std::filesystem::path& given, const InferenceModelOptions& options);

// "model: equiformer (eqt-model, cutoff 5 A) from DIR" on stderr.
void print_model_line(const InferenceModel& loaded);

}  // namespace eqt::cli
