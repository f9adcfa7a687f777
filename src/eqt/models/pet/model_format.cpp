#include "eqt/models/pet/model_format.h"

#include <yaml-cpp/yaml.h>

#include <limits>

#include "eqt/core/error.h"
#include "eqt/models/energy_normalisation.h"
#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/pet/pet_model.h"

namespace eqt::models::pet {

namespace {

using json = nlohmann::json;

ArchitectureFormat::Description describe(const Model& model) {
  const auto* pet = dynamic_cast<const PetModel*>(&model);
  if (!pet) fail("PET format: the model is not a PetModel");
  json architecture = {{"all_species", pet->all_species()},
                       {"ARCHITECTURAL_HYPERS", to_architectural_hypers(pet->hypers())}};
  // Recorded only when present, so that energy-only model.json files read as before.
  if (pet->has_dipole_head()) architecture["dipole_head"] = true;
  return {architecture, to_json(pet->normalisation())};
}

std::vector<int64_t> species_of(const json& architecture) {
  const json& species = architecture.at("all_species");
  if (!species.is_array() || species.empty()) fail("architecture: 'all_species' must be a list of atomic numbers");
  std::vector<int64_t> out;
  for (const json& z : species) {
    if (!z.is_number_integer()) fail("architecture: 'all_species' must hold integers, got {}", z.dump());
    out.push_back(z.get<int64_t>());
  }
  return out;
}

std::shared_ptr<Model> build(const ArchitectureFormat::Description& description, c10::ScalarType dtype) {
  const json& architecture = description.architecture;
  if (!architecture.is_object()) fail("'architecture' must be an object");
  for (const auto& item : architecture.items()) {
    if (item.key() != "all_species" && item.key() != "ARCHITECTURAL_HYPERS" && item.key() != "dipole_head") {
      fail("architecture: unknown key '{}' (PET has all_species, ARCHITECTURAL_HYPERS, dipole_head)", item.key());
    }
  }
  if (!architecture.contains("all_species")) fail("architecture: 'all_species' is missing");
  const json dipole_head = architecture.value("dipole_head", json(false));
  if (!dipole_head.is_boolean()) fail("architecture: 'dipole_head' must be true or false, not {}", dipole_head.dump());
  const PetHypers hypers = parse_pet_hypers(architecture.value("ARCHITECTURAL_HYPERS", json::object()));
  auto model = std::make_shared<PetModel>(hypers, species_of(architecture), dtype, dipole_head.get<bool>());
  model->set_normalisation(energy_normalisation_from_json(description.normalisation));
  return model;
}

// model.pet: PET's YAML section; all_species defaults to the species of the training set.
std::shared_ptr<Model> from_config(const YAML::Node& pet_section, const ConfigContext& context) {
  YAML::Node section = YAML::Clone(pet_section);
  if (!section.IsMap()) section = YAML::Node(YAML::NodeType::Map);
  if (!section["all_species"]) {
    for (const int64_t z : context.training_species) section["all_species"].push_back(z);
  }
  const PetConfig config = pet_config_from_yaml(section, context.origin);
  return std::make_shared<PetModel>(config.hypers, config.all_species, at::kDouble, context.dipole_head);
}

// Each GNN layer passes messages one cutoff further.
double interaction_range(const Model& model) {
  const auto* pet = dynamic_cast<const PetModel*>(&model);
  if (!pet) return std::numeric_limits<double>::infinity();
  return static_cast<double>(pet->hypers().n_gnn_layers) * pet->hypers().r_cut;
}

}  // namespace

ArchitectureFormat architecture_format() { return {describe, build}; }

Architecture architecture() {
  Architecture a;
  a.format = architecture_format();
  a.from_config = from_config;
  a.config_help = "PET section: all_species (default: species of the training set), ARCHITECTURAL_HYPERS";
  a.interaction_range = interaction_range;
  return a;
}

}  // namespace eqt::models::pet
