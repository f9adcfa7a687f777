#include "eqt/models/equiformer_oc20/model_format.h"

#include <limits>

#include "eqt/core/error.h"
#include "eqt/io/json_file.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/energy_normalisation.h"
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
