#pragma once
// The energy scale a model is trained in, kept apart from its architecture (model.json's
// "normalisation"): networks learn O(1) numbers, and
//   atomic_energies = std * network_output_i + reference_energies[Z_i]
//   energy          = sum_i atomic_energies + mean
// The mean is a per-structure constant that belongs to no atom. Unset values mean std 1, mean 0,
// no reference energies, so an unnormalised model computes exactly what its network outputs.
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace eqt::models {

struct EnergyNormalisation {
  std::optional<double> mean;              // eV per structure
  std::optional<double> std;               // eV per network unit
  std::vector<double> reference_energies;  // eV, indexed by atomic number; missing entries: 0

  // Network output per atom [N] -> atomic energies [N] in eV (same dtype and device).
  at::Tensor atomic_energies(const at::Tensor& network_output, const at::Tensor& atomic_numbers) const;
  // Sum of atomic energies per structure [B] -> energy [B].
  at::Tensor energy(const at::Tensor& summed_atomic_energies) const;
};

// {"mean": x | null, "std": x | null, "reference_energies": {"H": eV, ...}}; unknown keys and
// wrong types are eqt::Errors naming the key.
nlohmann::json to_json(const EnergyNormalisation& normalisation);
EnergyNormalisation energy_normalisation_from_json(const nlohmann::json& json);

}  // namespace eqt::models
