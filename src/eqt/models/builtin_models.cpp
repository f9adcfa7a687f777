// The one place where architectures join the model registry (model_registry.h). Adding one is a
// line here: its reference classes and / or its eqt kind with every per-architecture hook
// (model_registry.h's Architecture), written in the architecture's own folder.
#include <yaml-cpp/yaml.h>

#include <limits>

#include "eqt/core/error.h"
#include "eqt/models/ecse/model_format.h"
#include "eqt/models/equiformer/config.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/equiformer/model_format.h"
#include "eqt/models/model_registry.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/pet/model_format.h"

namespace eqt::models {

namespace {

// Equiformer's hooks beyond its format. (They belong in equiformer/model_format.cpp, as PET's are
// in pet/model_format.cpp; they sit here while that folder is being reworked elsewhere.)
Architecture equiformer_architecture() {
  Architecture a;
  a.format = equiformer::architecture_format();
  // model.equiformer: the official constructor's keys (equiformer/config.h).
  a.from_config = [](const YAML::Node& section, const ConfigContext& context) -> std::shared_ptr<Model> {
    equiformer::EquiformerConfig config;
    try {
      config = equiformer::config_from_yaml(section);
    } catch (const Error& e) {
      fail("{}: {}", context.origin, e.what());
    }
    config.dipole_head = context.dipole_head;
    return std::make_shared<equiformer::EquiformerModel>(config, at::kDouble);
  };
  a.config_help = "Equiformer hyper-parameters (examples/presets/equiformer_*.yaml keys)";
  // (num_layers + 1) x max_radius, the edge-degree embedding being one message-passing step;
  // graph and instance norms normalise over the whole structure.
  a.interaction_range = [](const Model& model) {
    const auto* equiformer = dynamic_cast<const equiformer::EquiformerModel*>(&model);
    if (!equiformer) return std::numeric_limits<double>::infinity();
    const auto& config = equiformer->config();
    if (config.norm_layer == "graph" || config.norm_layer == "instance") return std::numeric_limits<double>::infinity();
    return static_cast<double>(config.num_layers + 1) * config.max_radius;
  };
  return a;
}

}  // namespace

void register_builtin_models() {
  // Equiformer (v1): the official MD17 classes, and eqt's own kind.
  register_reference_class(equiformer::kGraphAttentionMd17Class, equiformer::load_reference_directory);
  register_reference_class(equiformer::kDotProductMd17Class, equiformer::load_reference_directory);
  register_architecture("equiformer", equiformer_architecture());

  // PET: the official export (config.json with "architectural_hypers", "all_species").
  register_reference_class("src.pet.PET", [](const std::filesystem::path& dir, c10::ScalarType dtype) {
    return std::static_pointer_cast<Model>(pet::load_pet_reference(dir, dtype).model);
  });
  register_architecture("pet", pet::architecture());

  // ECSE around any registered kind: model.json's kind is "ecse(<backbone kind>)". Not a
  // model.kind of its own (a config wraps a model through model.ecse); atomic energies not local.
  register_kind("ecse", ecse::architecture_format());
}

}  // namespace eqt::models
