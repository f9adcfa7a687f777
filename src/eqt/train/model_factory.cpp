#include "eqt/train/model_factory.h"

#include <yaml-cpp/yaml.h>

#include "eqt/core/error.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/model_registry.h"
#include "eqt/models/pet/load.h"

namespace eqt::train {

namespace {

const models::ArchitectureFormat& format_of(const std::string& kind) {
  const auto* format = models::find_kind(kind);
  if (!format) {
    std::string known;
    for (const auto& k : models::kinds()) known += (known.empty() ? "" : ", ") + k;
    fail("model kind '{}' cannot be saved or built by this eqt (registered kinds: {})", kind, known);
  }
  return *format;
}

// The architecture's own hook builds it from its config section (model_registry.h); a run that
// trains dipoles gives the model its own charge head (models/dipole.h).
std::shared_ptr<models::Model> plain_model(const TrainConfig& config, const std::set<int64_t>& species,
                                           double positions_std) {
  const models::Architecture* architecture = models::find_architecture(config.model_kind);
  if (!architecture || !architecture->from_config) {
    std::string known;
    for (const auto& k : models::trainable_kinds()) known += (known.empty() ? "" : ", ") + k;
    fail("model.kind '{}' cannot be built from a config by this eqt (trainable kinds: {})", config.model_kind, known);
  }
  models::ConfigContext context;
  context.origin = "model." + config.model_kind;
  context.training_species.assign(species.begin(), species.end());
  context.dipole_head = config.dipole.trained();
  context.auxiliary_positions = config.relaxed_positions.trained();
  context.positions_std = positions_std;
  return architecture->from_config(config.model_section, context);
}

}  // namespace


ModelRecipe model_recipe(const TrainConfig& config, const std::set<int64_t>& training_species,
                         double positions_std) {
  std::shared_ptr<models::Model> model = plain_model(config, training_species, positions_std);
  if (!config.ecse.IsNull()) {
    models::ecse::EcseOptions options;
    try {
      options.hypers = models::ecse::ecse_hypers_from_json(models::pet::yaml_to_json(config.ecse));
    } catch (const Error& e) {
      fail("model.ecse: {}", e.what());
    }
    model = std::make_shared<models::ecse::EcseModel>(model, nullptr, options);
  }
  ModelRecipe recipe;
  recipe.kind = model->kind();
  recipe.architecture = format_of(recipe.kind).describe(*model).architecture;
  return recipe;
}

std::shared_ptr<models::Model> build_model(const ModelRecipe& recipe, const nlohmann::json& normalisation,
                                           c10::ScalarType dtype) {
  return format_of(recipe.kind).build({recipe.architecture, normalisation}, dtype);
}

}  // namespace eqt::train
