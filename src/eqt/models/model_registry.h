#pragma once
// Everything eqt knows about each architecture, so that no other code (model directories, training,
// LAMMPS's domain decomposition) names one. Two tables:
//  * reference classes: an official Python export (<dir>/config.json with "class",
//    "constructor_kwargs", weights.safetensors with the official state-dict names), keyed by the
//    Python class path, e.g. "nets.graph_attention_transformer_md17.GraphAttentionTransformerMD17";
//  * eqt kinds, keyed by Model::kind() ("equiformer", "pet", "ecse"): an Architecture with every
//    per-architecture hook: eqt's own format (<dir>/model.json: describe / build), building a fresh
//    model from its section of a training config (model.<kind>), and its interaction range.
// An architecture lives in its own folder (models/<kind>/) and registers itself in one line in
// builtin_models.cpp; nothing else changes.
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "eqt/models/model.h"
#include "eqt/models/model_kinds.h"  // trainable_kinds(), config_help()

namespace YAML {
class Node;
}

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

// What `eqt train` tells an architecture when it builds a fresh model from the config.
struct ConfigContext {
  std::string origin;                     // the section's name for error messages: "model.<kind>"
  std::vector<int64_t> training_species;  // atomic numbers in the training set, ascending
  bool dipole_head = false;               // the run trains dipoles: give the model a charge head (dipole.h)
  // The run trains OC20's IS2RS task (relaxed positions): give the model its auxiliary head, whose
  // displacement is scaled by positions_std (A, fitted on the training set).
  bool auxiliary_positions = false;
  double positions_std = 1.0;
};

struct Architecture {
  ArchitectureFormat format;  // eqt's model.json (required)
  // The config's model.<kind> section (a YAML mapping, {} when absent) -> a fresh float64 model.
  // Empty: the kind cannot be named by model.kind (ECSE wraps a model through model.ecse instead).
  std::function<std::shared_ptr<Model>(const YAML::Node& section, const ConfigContext& context)> from_config;
  std::string config_help;  // one line describing model.<kind> in the config reference
  // How far (Angstrom) an atom's "atomic_energies" entry can feel other atoms (interaction_range.h);
  // empty: infinity (atomic energies are not local).
  std::function<double(const Model& model)> interaction_range;
};

void register_reference_class(const std::string& class_name, ReferenceLoader loader);
void register_architecture(const std::string& kind, Architecture architecture);
// An architecture with eqt's format only.
void register_kind(const std::string& kind, ArchitectureFormat format);

// nullptr when nothing is registered under the name. Kinds of wrappers name their inner model in
// parentheses ("ecse(pet)"); the lookup is the wrapper's ("ecse").
const ReferenceLoader* find_reference_loader(const std::string& class_name);
const Architecture* find_architecture(const std::string& kind);
const ArchitectureFormat* find_kind(const std::string& kind);

// Registered names, sorted, for error messages.
std::vector<std::string> reference_classes();
std::vector<std::string> kinds();

// Registers every architecture eqt ships (builtin_models.cpp); idempotent. The lookups above call
// it, so callers never need to. (Explicit rather than static initialisers: the linker drops
// unreferenced objects of a static library, and with them their registrations.)
void register_builtin_models();

}  // namespace eqt::models
