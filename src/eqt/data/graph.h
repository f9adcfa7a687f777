#pragma once
// The one model interface: a batch of structures as a single graph. Every model, ECSE, training,
// MD, ASE and LAMMPS speak this. Edge e goes from centre i = edge_index[0][e] to neighbour
// j = edge_index[1][e]; its vector is positions[j] - positions[i] + cell_shifts[e] @ cell(structure)
// (the ASE neighbor_list convention: i, j, S).
#include <ATen/ATen.h>

namespace eqt::data {

struct Graph {
  at::Tensor species;      // int64 [N], atomic numbers
  at::Tensor positions;    // float [N, 3] (model dtype), Angstrom
  at::Tensor cell;         // float [B, 3, 3]; zeros for non-periodic structures
  at::Tensor pbc;          // bool [B, 3]
  at::Tensor batch;        // int64 [N], structure index of each atom
  at::Tensor ptr;          // int64 [B + 1], first atom of each structure
  at::Tensor edge_index;   // int64 [2, E], (centre i, neighbour j)
  at::Tensor cell_shifts;  // float [E, 3], integer lattice shifts S stored in the model dtype
  at::Tensor edge_batch;   // int64 [E], structure index of each edge
  // int64 [N], OC20's per-atom tags (0 sub-surface, 1 surface, 2 adsorbate) where every structure
  // of the batch has a "tags" array; undefined otherwise. Only models that read tags need them.
  at::Tensor tags;

  int64_t num_atoms() const { return species.size(0); }
  int64_t num_structures() const { return ptr.size(0) - 1; }
  int64_t num_edges() const { return edge_index.size(1); }
  // positions[j] - positions[i] + shift @ cell; differentiable in positions and cell.
  at::Tensor edge_vectors() const;
  // Copy with floating tensors converted to dtype / moved to device.
  Graph to(c10::ScalarType dtype) const;
  Graph to(c10::Device device) const;
};

}  // namespace eqt::data
