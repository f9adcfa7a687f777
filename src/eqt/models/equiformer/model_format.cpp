#include "eqt/models/equiformer/model_format.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <limits>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/io/json_file.h"
#include "eqt/models/energy_normalisation.h"
#include "eqt/models/equiformer/config_json.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/equiformer/reference_loader.h"

namespace eqt::models::equiformer {

namespace {

using json = nlohmann::json;

// The official loader converts with nlohmann's get<T>(), whose type errors do not name the key;
// check the kwargs first with eqt's strict table so that users see which key is wrong.
void check_reference_config(const std::filesystem::path& path) {
  const json config = io::read_json_file(path);
  if (!config.contains("constructor_kwargs") || !config.at("constructor_kwargs").is_object()) {
    fail("{}: no \"constructor_kwargs\" object", path.string());
  }
  try {
    (void)apply_json(EquiformerConfig{}, config.at("constructor_kwargs"), /*ignore_unknown=*/true);
  } catch (const Error& e) {
    fail("{}: {}", path.string(), e.what());
  }
}

ArchitectureFormat::Description describe(const Model& model) {
  const auto* equiformer = dynamic_cast<const EquiformerModel*>(&model);
  if (!equiformer) fail("Equiformer format: the model is not an EquiformerModel");
  const EquiformerConfig& config = equiformer->config();
  json architecture = to_json(config);
  for (const char* key : {"mean", "std", "atomref"}) architecture.erase(key);
  // Recorded only when present, so that energy-only model.json files read as before.
  if (!config.dipole_head) architecture.erase("dipole_head");
  EnergyNormalisation normalisation;  // c10::optional (LibTorch 1.13) does not convert to std::optional
  if (config.mean) normalisation.mean = *config.mean;
  if (config.std) normalisation.std = *config.std;
  normalisation.reference_energies = config.atomref;
  return {architecture, models::to_json(normalisation)};
}

std::shared_ptr<Model> build(const ArchitectureFormat::Description& description, c10::ScalarType dtype) {
  // model.json files written before smooth_cutoff existed describe the published model.
  EquiformerConfig published;
  published.smooth_cutoff = false;
  EquiformerConfig config = apply_json(published, description.architecture);
  const EnergyNormalisation normalisation = energy_normalisation_from_json(description.normalisation);
  config.mean = normalisation.mean ? c10::optional<double>(*normalisation.mean) : c10::nullopt;
  config.std = normalisation.std ? c10::optional<double>(*normalisation.std) : c10::nullopt;
  config.atomref = normalisation.reference_energies;
  // Species without an entry (below max_atom_type) get 0, like a zero in the official table.
  if (!config.atomref.empty() && config.atomref.size() < static_cast<std::size_t>(config.max_atom_type)) {
    config.atomref.resize(static_cast<std::size_t>(config.max_atom_type), 0.0);
  }
  config.validate();
  return std::make_shared<EquiformerModel>(config, dtype);
}

}  // namespace

std::shared_ptr<Model> load_reference_directory(const std::filesystem::path& dir, c10::ScalarType dtype) {
  check_reference_config(dir / "config.json");
  return load_equiformer_reference(dir, dtype);
}

ArchitectureFormat architecture_format() { return {describe, build}; }

Architecture architecture() {
  Architecture a;
  a.format = architecture_format();
  a.from_config = [](const YAML::Node& section, const ConfigContext& context) -> std::shared_ptr<Model> {
    EquiformerConfig config;
    try {
      config = config_from_yaml(section);
    } catch (const Error& e) {
      fail("{}: {}", context.origin, e.what());
    }
    config.dipole_head = context.dipole_head;
    return std::make_shared<EquiformerModel>(config, at::kDouble);
  };
  a.config_help = "Equiformer hyper-parameters (examples/presets/equiformer_*.yaml keys)";
  // (num_layers + 1) x max_radius, the edge-degree embedding being one message-passing step;
  // graph and instance norms normalise over the whole structure.
  a.interaction_range = [](const Model& model) {
    const auto* equiformer = dynamic_cast<const EquiformerModel*>(&model);
    if (!equiformer) return std::numeric_limits<double>::infinity();
    const auto& config = equiformer->config();
    if (!config.local_atomic_energies()) return std::numeric_limits<double>::infinity();
    return static_cast<double>(config.num_layers + 1) * config.max_radius;
  };
  return a;
}

}  // namespace eqt::models::equiformer
