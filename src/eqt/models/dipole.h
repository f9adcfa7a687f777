#pragma once
// Dipole heads. A model trained on dipoles predicts one scalar per atom with a head of its own
// (never its atomic energies: one output cannot be both an energy share and a charge), and turns
// it into two outputs:
//   "charges" [N]    q_i = raw_i - mean over the atoms of its structure  (so sum_i q_i = 0)
//   "dipole"  [B, 3] mu  = sum_i q_i (r_i - centroid),  centroid = mean of the structure's positions
// Units are those of the dipole labels the model was trained on: labels in e*Angstrom (ASE's unit
// for get_dipole_moment()) give charges in e; Debye labels would give charges in Debye/Angstrom
// (units::kElectronAngstromToDebye converts).
//
// Why neutral charges about the centroid: mu is then translation invariant and, since the charges
// sum to zero, equal to sum_i q_i r_i about ANY origin, which is what a neutral molecule's dipole
// is. (About the centroid, removing the mean charge does not change mu at all, since
// sum_i (r_i - centroid) = 0; it only makes the reported charges those of a neutral structure.) For
// an ion of charge Q the physical charges are q_i + Q/N and mu is the dipole about the centroid.
// Positions are used as given (no minimum image), so for periodic structures the dipole is that of
// the atoms where they are, not a polarisation.
#include <ATen/ATen.h>

#include "eqt/data/graph.h"
#include "eqt/models/model.h"
#include "eqt/models/output_names.h"

namespace eqt::models {

// raw [N] -> q [N] with sum zero per structure of graph.batch.
at::Tensor neutral_charges(const at::Tensor& raw, const data::Graph& graph);

// sum_i q_i (r_i - centroid) per structure, [B, 3]; differentiable in charges and positions.
at::Tensor dipole_moment(const at::Tensor& charges, const data::Graph& graph);

// Adds "charges" and "dipole" from a dipole head's raw per-atom output [N].
void add_dipole_outputs(Outputs& outputs, const at::Tensor& raw_charges, const data::Graph& graph);

}  // namespace eqt::models
