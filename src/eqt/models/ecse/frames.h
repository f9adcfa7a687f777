#pragma once
// Coordinate frames of ECSE: every ordered pair (a, b) of distinct neighbours of a centre defines
// an orthonormal right-handed frame [n_a, n_ab, n_a x n_ab] with n_a = x_a / |x_a| and
// n_ab = (n_a x n_b) / |n_a x n_b|. Expressing a structure in such a frame (r -> r F) removes
// any dependence on its orientation, which is what makes ECSE exactly equivariant.
#include <ATen/ATen.h>

namespace eqt::models::ecse {

// All ordered pairs of distinct edges sharing a centre atom, in edge order. int64 tensors on the
// device of edge_centres.
struct NeighbourPairs {
  at::Tensor first;    // [P] edge index of neighbour a
  at::Tensor second;   // [P] edge index of neighbour b
  at::Tensor centre;   // [P] centre atom
  at::Tensor ordered;  // bool [P], true for a before b (each unordered pair exactly once)
};

NeighbourPairs neighbour_pairs(const at::Tensor& edge_centres, int64_t num_atoms);

// [P, 3, 3] frames whose COLUMNS are the frame axes, so r @ F gives the coordinates of r in the
// frame. first / second: [P, 3] non-collinear vectors. Differentiable.
at::Tensor coordinate_frames(const at::Tensor& first, const at::Tensor& second);

// |n_a x n_b|^2 for unit vectors along first / second: 0 when collinear, 1 when orthogonal. [P]
at::Tensor non_collinearity(const at::Tensor& first, const at::Tensor& second);

}  // namespace eqt::models::ecse
