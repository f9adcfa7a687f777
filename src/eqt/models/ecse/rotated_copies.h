#pragma once
// One batched Graph holding a rotated copy of a structure per frame, so that a backbone sees all
// frames of all structures in a single forward call. Rotation r -> r @ R is applied to positions
// AND cell; the neighbour topology (edge_index, cell_shifts) is unchanged by a rotation and is
// only re-indexed, so no neighbour list is recomputed.
#include <ATen/ATen.h>

#include "eqt/data/graph.h"

namespace eqt::models::ecse {

struct RotatedCopies {
  data::Graph graph;       // structure f of it is structure `structure[f]` of the input, rotated
  at::Tensor atom_source;  // int64 [N'] atom of the input graph each copy-atom comes from
};

// rotations: [F, 3, 3] (axes as columns); structure: int64 [F]. Differentiable in the input's
// positions, cell and in the rotations.
RotatedCopies rotated_copies(const data::Graph& graph, const at::Tensor& rotations, const at::Tensor& structure);

}  // namespace eqt::models::ecse
