#pragma once
// How PET appears in eqt's own model directories (model_registry.h): model.json's
//   "architecture": {"all_species": [1, 6, ...], "ARCHITECTURAL_HYPERS": {official keys}}
//                   plus "dipole_head": true for models with charges / dipole outputs
//   "normalisation": {"mean", "std", "reference_energies"} (energy_normalisation.h)
// and the official state-dict names in weights.safetensors.
#include "eqt/models/model_registry.h"

namespace eqt::models::pet {

ArchitectureFormat architecture_format();

}  // namespace eqt::models::pet
