#pragma once
// Names of model outputs that eqt's tools treat specially (model.h: Model::forward's map).
#include <string>

namespace eqt::models {

// A dipole head's outputs (dipole.h): per-atom charges [N] and the per-structure dipole [B, 3].
inline constexpr const char* kChargesOutput = "charges";
inline constexpr const char* kDipoleOutput = "dipole";

// The OC20 models' IS2RS outputs (equiformer_oc20/oc20_model.h): the auxiliary head's raw vector
// [N, 3] and the predicted relaxed positions [N, 3] (fixed atoms keep their input positions).
inline constexpr const char* kAuxPositionsOutput = "aux_pos";
inline constexpr const char* kRelaxedPositionsOutput = "relaxed_positions";

// Whether an output holds one row per atom rather than per structure: the atomic_* outputs
// ("atomic_energies") and the charges. Shapes alone cannot tell, since a batch may hold as many
// structures as atoms.
inline bool is_per_atom_output(const std::string& name) {
  return name.rfind("atomic_", 0) == 0 || name == kChargesOutput || name == kAuxPositionsOutput ||
         name == kRelaxedPositionsOutput;
}

}  // namespace eqt::models
