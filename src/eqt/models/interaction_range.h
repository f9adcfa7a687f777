#pragma once
// How far (Angstrom) an atom's "atomic_energies" entry can feel other atoms: the number of
// message-passing steps times the cutoff (PET: N_GNN_LAYERS x R_CUT; Equiformer: (num_layers + 1)
// x max_radius, the edge-degree embedding being one step), and infinity when atomic energies are
// not local (Equiformer with a graph or instance norm, ECSE) or the architecture gives no range.
// Each architecture says so through its registry entry (model_registry.h: Architecture::
// interaction_range). Domain decomposition (LAMMPS, inference/cluster_potential.h) needs every
// atom within this range of an owned atom.
#include "eqt/models/model.h"

namespace eqt::models {

double interaction_range(const Model& model);

}  // namespace eqt::models
