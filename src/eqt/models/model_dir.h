#pragma once
// Model directories: what `eqt predict --model DIR` (and later md / export / ASE) load.
//
// Two layouts are recognised:
//  * an official reference export: config.json {"class", "constructor_kwargs", ...} plus
//    weights.safetensors under the official state-dict names (what
//    tools/convert_equiformer_checkpoint.py writes); the class picks the loader;
//  * eqt's own: model.json plus weights.safetensors (eqt's state-dict names), where model.json is
//      {"format": "eqt-model", "format_version": 1, "eqt_version": "...", "kind": "equiformer",
//       "cutoff": 5.0, "species": ["H", "C", ...], "units": {...},
//       "architecture": {...}, "normalisation": {"mean", "std", "reference_energies"},
//       "weights": {"file": "weights.safetensors", "bytes": 123456, "crc32": "0x1a2b3c4d"}}
//    and the kind picks the architecture (model_registry.h). The loader checks the weights' size
//    and CRC-32 against "weights" before reading them (directories written before eqt recorded
//    them, without "weights", load unchecked).
// Every failure (missing directory or weights, truncated or corrupt files, unknown class or kind,
// missing / extra tensors, wrong-typed keys) is an eqt::Error naming the file and the problem.
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "eqt/models/model.h"

namespace eqt::models {

inline constexpr const char* kModelFormatName = "eqt-model";
inline constexpr int kModelFormatVersion = 1;
inline constexpr const char* kWeightsFileName = "weights.safetensors";

struct LoadedModel {
  std::shared_ptr<Model> model;
  std::string source;            // "eqt-model" or the reference class
  std::vector<int64_t> species;  // atomic numbers the model was trained on; empty: not recorded
};

LoadedModel read_model_directory(const std::filesystem::path& dir, c10::ScalarType dtype = at::kDouble);
std::shared_ptr<Model> load_model(const std::filesystem::path& dir, c10::ScalarType dtype = at::kDouble);

struct SaveOptions {
  std::vector<int64_t> species;  // recorded in model.json; empty: not recorded
};

// Writes eqt's layout all or nothing: into a temporary sibling directory (files fsync'ed), which
// is then renamed onto `dir`. An existing eqt model directory (or an empty one) at `dir` is
// replaced; any other existing path is refused.
void save_model(const Model& model, const std::filesystem::path& dir, const SaveOptions& options = {});

}  // namespace eqt::models
