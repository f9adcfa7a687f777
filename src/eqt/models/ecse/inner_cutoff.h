#pragma once
// The adaptive inner cutoff of ECSE, one per centre atom: a smooth minimum over
//   - the outer cutoff (weight 1), and
//   - for every unordered neighbour pair inside the outer cutoff, the smooth max of the two
//     distances plus W0(1/e)/beta, weighted by both outer-cutoff factors and the
//     non-collinearity switch q(|n_a x n_b|^2; W, DELTA_W),
// plus DELTA_R_CUT. It shrinks to just above the closest non-collinear pair, so that few frames
// are built, yet it varies smoothly as neighbours move.
#include <ATen/ATen.h>

#include "eqt/models/ecse/frames.h"
#include "eqt/models/ecse/hypers.h"

namespace eqt::models::ecse {

// lengths: [E] edge lengths; spread: [P] non-collinearity of each pair. Returns [num_atoms].
at::Tensor inner_cutoff(const at::Tensor& lengths, const NeighbourPairs& pairs, const at::Tensor& spread,
                        int64_t num_atoms, double r_cut_outer, const EcseHypers& hypers);

}  // namespace eqt::models::ecse
