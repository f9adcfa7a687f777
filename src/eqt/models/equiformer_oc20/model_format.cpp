#include "eqt/models/equiformer_oc20/model_format.h"

#include <yaml-cpp/yaml.h>

#include <limits>

#include "eqt/core/error.h"
#include "eqt/io/json_file.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/energy_normalisation.h"
#include "eqt/models/pet/load.h"  // yaml_to_json
#include "eqt/models/state_dict.h"

namespace eqt::models::equiformer_oc20 {

namespace {

using json = nlohmann::json;

ArchitectureFormat::Description describe_oc20(const Model& model) {
  const auto* oc20 = dynamic_cast<const Oc20EquiformerModel*>(&model);
  if (!oc20) fail("Equiformer OC20 format: the model is not an Oc20EquiformerModel");
  const Oc20Config& config = oc20->config();
  EnergyNormalisation normalisation;
  if (config.network.mean) normalisation.mean = *config.network.mean;
  if (config.network.std) normalisation.std = *config.network.std;
  return {oc20_to_json(config), models::to_json(normalisation)};
}

std::shared_ptr<Model> build_oc20(const ArchitectureFormat::Description& description, c10::ScalarType dtype) {
  Oc20Config config = oc20_from_json(description.architecture);
  const EnergyNormalisation normalisation = energy_normalisation_from_json(description.normalisation);
  if (!normalisation.reference_energies.empty()) fail("Equiformer OC20: reference energies are not supported");
  config.network.mean = normalisation.mean ? c10::optional<double>(*normalisation.mean) : c10::nullopt;
  config.network.std = normalisation.std ? c10::optional<double>(*normalisation.std) : c10::nullopt;
  return std::make_shared<Oc20EquiformerModel>(config, dtype);
}

// Keys a training config cannot set in model.equiformer_oc20: the run decides them.
const char* const kRunOwnedKeys[] = {"use_auxiliary_task", "positions_std", "mean", "std", "atomref", "dipole_head"};

std::shared_ptr<Model> from_config(const YAML::Node& section, const ConfigContext& context) {
  json architecture = section.IsNull() ? json::object() : pet::yaml_to_json(section);
  if (!architecture.is_object()) fail("{}: expected a mapping of hyper-parameters", context.origin);
  for (const char* key : kRunOwnedKeys) {
    if (architecture.contains(key)) {
      fail("{}: '{}' is set by the run, not here (targets.relaxed_positions.weight > 0 gives the model its IS2RS "
           "head; normalisation.* fits the scales)", context.origin, key);
    }
  }
  if (context.dipole_head) fail("{}: the OC20 model has no dipole head (set targets.dipole.weight to 0)", context.origin);
  // A model trained by eqt is continuous where pairs cross the radius unless asked otherwise; the
  // published model (official exports) is not.
  if (!architecture.contains("smooth_cutoff")) architecture["smooth_cutoff"] = true;
  architecture["use_auxiliary_task"] = context.auxiliary_positions;
  architecture["positions_std"] = context.positions_std;
  Oc20Config config;
  try {
    config = oc20_from_json(architecture);
    config.validate();
  } catch (const Error& e) {
    fail("{}: {}", context.origin, e.what());
  }
  return std::make_shared<Oc20EquiformerModel>(config, at::kDouble);
}

}  // namespace

std::shared_ptr<Oc20EquiformerModel> load_oc20_reference(const std::filesystem::path& dir, c10::ScalarType dtype) {
  const json config = io::read_json_file(dir / "config.json");
  Oc20Config parsed;
  try {
    parsed = oc20_config_from_official_json(config);
  } catch (const std::exception& e) {
    fail("{}: {}", (dir / "config.json").string(), e.what());
  }
  auto model = std::make_shared<Oc20EquiformerModel>(parsed, dtype);
  load_state_dict(*model, io::read_safetensors(dir / "weights.safetensors").tensors);
  return model;
}

std::shared_ptr<Model> load_reference_directory(const std::filesystem::path& dir, c10::ScalarType dtype) {
  return load_oc20_reference(dir, dtype);
}

ArchitectureFormat architecture_format() { return {describe_oc20, build_oc20}; }

Architecture architecture() {
  Architecture a;
  a.format = architecture_format();
  a.from_config = from_config;
  a.config_help =
      "Equiformer OC20 hyper-parameters: model.json's architecture keys (Equiformer's plus max_neighbours, num_tags, "
      "auxiliary_head_dropout) on the official defaults; examples/train/oc20_synthetic_equiformer.yaml";
  // (num_layers + 1) x max_radius, as for the MD17 model (the auxiliary head does not feed the
  // energy); graph and instance norms normalise over the whole structure.
  a.interaction_range = [](const Model& model) {
    const auto* oc20 = dynamic_cast<const Oc20EquiformerModel*>(&model);
    if (!oc20) return std::numeric_limits<double>::infinity();
    const auto& c = oc20->config().network;
    if (c.norm_layer == "graph" || c.norm_layer == "instance") return std::numeric_limits<double>::infinity();
    return static_cast<double>(c.num_layers + 1) * c.max_radius;
  };
  return a;
}

}  // namespace eqt::models::equiformer_oc20
