#pragma once
// Builds the model a config asks for, through the model registry (model_registry.h), so that
// training does not depend on any architecture beyond reading its YAML section:
//   1. the architecture's own YAML hook (model_registry.h: Architecture::from_config) makes a plain
//      model (Equiformer preset keys, PET all_species + ARCHITECTURAL_HYPERS; PET's all_species
//      defaults to the training species),
//      with a dipole head when the config trains targets.dipole (models/dipole.h), with OC20's
//      IS2RS head (scaled by the fitted positions_std) when it trains targets.relaxed_positions,
//      optionally wrapped in ECSE;
//   2. the registry's format for its kind describes it (the "architecture" JSON);
//   3. the same format builds it back with the fitted normalisation.
// The architecture JSON is what checkpoints and exported models store.
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "eqt/models/model.h"
#include "eqt/train/config.h"

namespace eqt::train {

struct ModelRecipe {
  std::string kind;                  // registry kind: "equiformer", "pet", "ecse(pet)", ...
  nlohmann::json architecture;
};

// positions_std: the fitted scale of the IS2RS displacement (Normalisation::positions_std).
ModelRecipe model_recipe(const TrainConfig& config, const std::set<int64_t>& training_species,
                         double positions_std = 1.0);

// find_kind(recipe.kind)->build({architecture, normalisation}, dtype), with a clear error when the
// kind has no registered format.
std::shared_ptr<models::Model> build_model(const ModelRecipe& recipe, const nlohmann::json& normalisation,
                                           c10::ScalarType dtype);

}  // namespace eqt::train
