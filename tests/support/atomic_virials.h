#pragma once
// Per-atom virials of a periodic structure, computed the plain way (the whole-structure forward
// pass), for comparison with the domain-decomposed ones of inference::ExchangePotential and
// LAMMPS's compute stress/atom: each edge's -sym(r (x) dE/dr) goes to its centre atom.
#include <ATen/ATen.h>

#include "eqt/data/structure.h"
#include "eqt/models/model.h"

namespace eqt::testing {

// [N, 6] in eV, LAMMPS order xx, yy, zz, xy, xz, yz. dE/dr comes from differentiating the energy
// with respect to the integer cell shifts of the edges (r = x_j - x_i + S C, so dE/dr = dE/dS C^-T):
// the model computes its edge vectors as it always does.
at::Tensor periodic_atomic_virials(models::Model& model, const data::Structure& s);

}  // namespace eqt::testing
