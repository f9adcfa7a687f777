#include "eqt/train/model_factory.h"

#include <yaml-cpp/yaml.h>

#include "eqt/core/error.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/equiformer/config.h"
#include "eqt/models/equiformer/equiformer_model.h"
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

// A run that trains dipoles gives the model its own charge head (models/dipole.h).
std::shared_ptr<models::Model> plain_model(const TrainConfig& config, const std::set<int64_t>& species) {
  const bool dipole_head = config.dipole.trained();
  if (config.model_kind == "equiformer") {
    models::equiformer::EquiformerConfig c;
    try {
      c = models::equiformer::config_from_yaml(config.model_section);
    } catch (const Error& e) {
      fail("model.equiformer: {}", e.what());
    }
    c.dipole_head = dipole_head;
    return std::make_shared<models::equiformer::EquiformerModel>(c, at::kDouble);
  }
  YAML::Node section = YAML::Clone(config.model_section);
  if (!section.IsMap()) section = YAML::Node(YAML::NodeType::Map);
  if (!section["all_species"]) {
    for (const int64_t z : species) section["all_species"].push_back(z);
  }
  const auto pet_config = models::pet::pet_config_from_yaml(section, "model.pet");
  return std::make_shared<models::pet::PetModel>(pet_config.hypers, pet_config.all_species, at::kDouble, dipole_head);
}

}  // namespace


ModelRecipe model_recipe(const TrainConfig& config, const std::set<int64_t>& training_species) {
  std::shared_ptr<models::Model> model = plain_model(config, training_species);
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
