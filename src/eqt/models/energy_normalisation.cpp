#include "eqt/models/energy_normalisation.h"

#include "eqt/core/error.h"
#include "eqt/data/elements.h"

namespace eqt::models {

namespace {

using json = nlohmann::json;

std::optional<double> optional_number(const json& object, const char* key) {
  if (!object.contains(key) || object.at(key).is_null()) return std::nullopt;
  if (!object.at(key).is_number()) fail("normalisation: '{}' must be a number or null", key);
  return object.at(key).get<double>();
}

}  // namespace

at::Tensor EnergyNormalisation::atomic_energies(const at::Tensor& network_output, const at::Tensor& atomic_numbers) const {
  at::Tensor atomic = std ? network_output * *std : network_output;
  if (reference_energies.empty()) return atomic;
  // Species without an entry have reference energy 0 (they may be absent from the table's tail).
  std::vector<double> padded = reference_energies;
  if (atomic_numbers.numel() > 0) {
    const auto largest = static_cast<std::size_t>(atomic_numbers.max().item<int64_t>());
    if (largest >= padded.size()) padded.resize(largest + 1, 0.0);
  }
  const at::Tensor table = at::tensor(padded, at::kDouble).to(network_output.options());
  return atomic + table.index_select(0, atomic_numbers);
}

at::Tensor EnergyNormalisation::energy(const at::Tensor& summed_atomic_energies) const {
  return mean ? summed_atomic_energies + *mean : summed_atomic_energies;
}

nlohmann::json to_json(const EnergyNormalisation& normalisation) {
  json references = json::object();
  for (std::size_t z = 1; z < normalisation.reference_energies.size(); ++z) {
    const double value = normalisation.reference_energies[z];
    if (value != 0.0) references[data::chemical_symbol(static_cast<int64_t>(z))] = value;
  }
  return {{"mean", normalisation.mean ? json(*normalisation.mean) : json(nullptr)},
          {"std", normalisation.std ? json(*normalisation.std) : json(nullptr)},
          {"reference_energies", references}};
}

EnergyNormalisation energy_normalisation_from_json(const json& object) {
  if (object.is_null()) return {};
  if (!object.is_object()) fail("'normalisation' must be an object");
  for (const auto& item : object.items()) {
    if (item.key() != "mean" && item.key() != "std" && item.key() != "reference_energies") {
      fail("normalisation: unknown key '{}' (expected mean, std, reference_energies)", item.key());
    }
  }
  EnergyNormalisation out{optional_number(object, "mean"), optional_number(object, "std"), {}};
  const json references = object.value("reference_energies", json(nullptr));
  if (references.is_null() || references.empty()) return out;
  if (!references.is_object()) fail("normalisation: 'reference_energies' must be an object {{\"H\": eV, ...}}");
  for (const auto& [symbol, value] : references.items()) {
    const auto z = data::atomic_number(symbol);
    if (!z) fail("normalisation: reference_energies: '{}' is not a chemical symbol", symbol);
    if (!value.is_number()) fail("normalisation: reference_energies: '{}' must be a number", symbol);
    if (static_cast<std::size_t>(*z) >= out.reference_energies.size()) out.reference_energies.resize(*z + 1, 0.0);
    out.reference_energies[static_cast<std::size_t>(*z)] = value.get<double>();
  }
  return out;
}

}  // namespace eqt::models
