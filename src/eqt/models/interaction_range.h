#pragma once
// How far (Angstrom) an atom's "atomic_energies" entry can feel other atoms: the number of
// message-passing steps times the cutoff (PET: N_GNN_LAYERS x R_CUT; Equiformer: (num_layers + 1)
// x max_radius, the edge-degree embedding being one step), and infinity when atomic energies are
// not local (Equiformer with a graph or instance norm) or the architecture is not known here.
// Domain decomposition (LAMMPS, cluster_potential.h) needs every atom within this range of an
// owned atom.
// (A free function rather than a virtual of Model for now, so that model.h, included everywhere,
// stays unchanged; it can move into the interface when Model next changes.)
#include "eqt/models/model.h"

namespace eqt::models {

double interaction_range(const Model& model);

}  // namespace eqt::models
