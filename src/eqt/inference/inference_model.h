#pragma once
// The one way a front end (eqt predict / eval / export / md / check, the Python module, LAMMPS)
// finds and loads a model for inference, from what a user passes as --model: an eqt model
// directory (model.json), an official reference export (config.json), or a training run directory
// (RUN_DIR holding RUN_DIR/model/ and RUN_DIR/metrics.csv), optionally wrapped in ECSE with its
// frame pruning and fallback model. The model comes back in eval mode, without parameter
// gradients, in the requested dtype.
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "eqt/models/model.h"

namespace eqt::inference {

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
  std::string ecse_fallback;            // model directory (or run directory); empty: none
  std::string ecse_pruning = "single";  // ECSE PRUNING_MODE: "single" (smooth) or "official"
  c10::Device device = c10::kCPU;       // where the model computes (core/device.h parse_device)
};

struct InferenceModel {
  std::shared_ptr<models::Model> model;  // in eval mode, parameters without gradients
  std::vector<int64_t> species;          // atomic numbers the model was trained on; empty: not recorded
  std::string source;                    // "eqt-model", the reference class, or "in memory"
  ModelLocation location;
};

// Throws eqt::Error naming the file and the problem when the model cannot be loaded.
InferenceModel load_inference_model(const std::filesystem::path& given, const InferenceModelOptions& options);

// A model already built (tests, LAMMPS sharing one model between its modes): prepared for
// inference and, with options.ecse, wrapped in ECSE. options.dtype is not applied (the model
// computes in its own).
InferenceModel in_memory_model(std::shared_ptr<models::Model> model, std::vector<int64_t> species,
                               const InferenceModelOptions& options = {});

// "equiformer (eqt-model, cutoff 5 A) from DIR", for the front ends' "model: ..." line.
std::string describe_model(const InferenceModel& loaded);

}  // namespace eqt::inference
