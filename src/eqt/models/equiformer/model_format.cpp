#include "eqt/models/equiformer/model_format.h"

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/io/json_file.h"
#include "eqt/models/equiformer/config_json.h"
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

json reference_energies_json(const std::vector<double>& atomref) {
  json out = json::object();
  for (std::size_t z = 1; z < atomref.size() && z <= data::kMaxAtomicNumber; ++z) {
    if (atomref[z] != 0.0) out[data::chemical_symbol(static_cast<int64_t>(z))] = atomref[z];
  }
  return out;
}

// Zero for species without an entry, like a zero in the official atomref table.
std::vector<double> atomref_from_json(const json& energies, int64_t max_atom_type) {
  if (energies.is_null() || energies.empty()) return {};
  if (!energies.is_object()) fail("normalisation: 'reference_energies' must be an object {{\"H\": eV, ...}}");
  std::vector<double> atomref(static_cast<std::size_t>(std::max<int64_t>(max_atom_type, 1)), 0.0);
  for (const auto& [symbol, value] : energies.items()) {
    const auto z = data::atomic_number(symbol);
    if (!z) fail("normalisation: reference_energies: '{}' is not a chemical symbol", symbol);
    if (!value.is_number()) fail("normalisation: reference_energies: '{}' must be a number", symbol);
    if (static_cast<std::size_t>(*z) >= atomref.size()) atomref.resize(static_cast<std::size_t>(*z) + 1, 0.0);
    atomref[static_cast<std::size_t>(*z)] = value.get<double>();
  }
  return atomref;
}

ArchitectureFormat::Description describe(const Model& model) {
  const auto* equiformer = dynamic_cast<const EquiformerModel*>(&model);
  if (!equiformer) fail("Equiformer format: the model is not an EquiformerModel");
  const EquiformerConfig& config = equiformer->config();
  json architecture = to_json(config);
  for (const char* key : {"mean", "std", "atomref"}) architecture.erase(key);
  json normalisation = {{"mean", to_json(config)["mean"]},
                        {"std", to_json(config)["std"]},
                        {"reference_energies", reference_energies_json(config.atomref)}};
  return {architecture, normalisation};
}

std::shared_ptr<Model> build(const ArchitectureFormat::Description& description, c10::ScalarType dtype) {
  EquiformerConfig config = apply_json(EquiformerConfig{}, description.architecture);
  const json& n = description.normalisation;
  if (!n.is_object()) fail("'normalisation' must be an object");
  for (const auto& [key, value] : n.items()) {
    if (key != "mean" && key != "std" && key != "reference_energies") fail("normalisation: unknown key '{}'", key);
  }
  config = apply_json(config, {{"mean", n.value("mean", json(nullptr))}, {"std", n.value("std", json(nullptr))}});
  config.atomref = atomref_from_json(n.value("reference_energies", json(nullptr)), config.max_atom_type);
  config.validate();
  return std::make_shared<EquiformerModel>(config, dtype);
}

}  // namespace

std::shared_ptr<Model> load_reference_directory(const std::filesystem::path& dir, c10::ScalarType dtype) {
  check_reference_config(dir / "config.json");
  return load_equiformer_reference(dir, dtype);
}

ArchitectureFormat architecture_format() { return {describe, build}; }

}  // namespace eqt::models::equiformer
