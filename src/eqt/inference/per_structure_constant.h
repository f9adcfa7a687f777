#pragma once
// energy - sum of "atomic_energies" of a model: a per-structure constant (e.g. Equiformer's
// normalisation mean) that belongs to no atom. A domain-decomposed run adds it once for the whole
// system (LAMMPS: on rank 0), not once per domain.
#include <c10/core/ScalarType.h>

#include <cstdint>

#include "eqt/models/model.h"

namespace eqt::inference {

// Measured on one isolated atom of atomic number `number` (any element the model knows), in dtype.
// Throws eqt::Error when the model has no "atomic_energies" output.
double per_structure_constant(models::Model& model, int64_t number, c10::ScalarType dtype);

}  // namespace eqt::inference
