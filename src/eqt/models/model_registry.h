#pragma once
// Which code builds which model, so that model directories (model_dir.h) need not know any
// architecture. Two tables:
//  * reference classes: an official Python export (<dir>/config.json with "class",
//    "constructor_kwargs", weights.safetensors with the official state-dict names), keyed by the
//    Python class path, e.g. "nets.graph_attention_transformer_md17.GraphAttentionTransformerMD17";
//  * eqt kinds: eqt's own format (<dir>/model.json), keyed by Model::kind() ("equiformer", "pet").
// An architecture registers itself in one line in builtin_models.cpp; nothing else changes.
#include <c10/core/ScalarType.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eqt/models/model.h"

namespace eqt::models {

// Loads a whole official export directory (config and weights), strictly.
using ReferenceLoader =
    std::function<std::shared_ptr<Model>(const std::filesystem::path& dir, c10::ScalarType dtype)>;

// How eqt's own format describes one architecture. model.json holds
//   "architecture": everything needed to build the network (hyper-parameters, constants), and
//   "normalisation": {"mean", "std" (null = none), "reference_energies": {"H": eV, ...}},
// kept apart so that tools can read / refit the energy scale without knowing the architecture.
struct ArchitectureFormat {
  struct Description {
    nlohmann::json architecture;
    nlohmann::json normalisation;
  };
  // Model (of this kind) -> its description; the registry checks model.kind() first.
  std::function<Description(const Model& model)> describe;
  // Description -> a freshly built model in dtype; weights are loaded afterwards by the caller.
  std::function<std::shared_ptr<Model>(const Description& description, c10::ScalarType dtype)> build;
};

void register_reference_class(const std::string& class_name, ReferenceLoader loader);
void register_kind(const std::string& kind, ArchitectureFormat format);

// nullptr when nothing is registered under the name.
const ReferenceLoader* find_reference_loader(const std::string& class_name);
const ArchitectureFormat* find_kind(const std::string& kind);

// Registered names, sorted, for error messages.
std::vector<std::string> reference_classes();
std::vector<std::string> kinds();

// Registers every architecture eqt ships (builtin_models.cpp); idempotent. The lookups above call
// it, so callers never need to. (Explicit rather than static initialisers: the linker drops
// unreferenced objects of a static library, and with them their registrations.)
void register_builtin_models();

}  // namespace eqt::models
