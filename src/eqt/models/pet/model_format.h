#pragma once
// How PET appears in eqt's own model directories (model_registry.h): model.json's
//   "architecture": {"all_species": [1, 6, ...], "ARCHITECTURAL_HYPERS": {official keys}}
//                   plus "dipole_head": true for models with charges / dipole outputs
//   "normalisation": {"mean", "std", "reference_energies"} (energy_normalisation.h)
// and the official state-dict names in weights.safetensors.
#include "eqt/models/model_registry.h"

namespace eqt::models::pet {

ArchitectureFormat architecture_format();

// Every hook of PET (builtin_models.cpp registers it as kind "pet"): the format above; a training
// config's model.pet section (all_species defaulting to the training species, and
// ARCHITECTURAL_HYPERS, load.h); interaction range N_GNN_LAYERS x R_CUT.
Architecture architecture();

}  // namespace eqt::models::pet
