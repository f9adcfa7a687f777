#pragma once
// All ECSE frames of a batch of structures, from the environments of ALL their atoms, with their
// smooth weights after pruning. This is the whole "which orientations to average over" part of
// ECSE; EcseModel only evaluates the backbone in these frames.
#include <ATen/ATen.h>

#include "eqt/data/graph.h"
#include "eqt/models/ecse/hypers.h"

namespace eqt::models::ecse {

struct FrameSet {
  at::Tensor rotations;   // [F, 3, 3] proper rotations, axes as columns (r -> r @ R)
  at::Tensor weights;     // [F] > epsilon, differentiable in positions and cell
  at::Tensor structure;   // int64 [F]
  at::Tensor centre;      // int64 [F] atom whose environment gave the frame
  at::Tensor first_edge, second_edge;  // int64 [F] the ordered neighbour pair (edge indices) of the frame
  at::Tensor weight_aux;  // [B] weight of the fallback model (1 where a structure has no frame)
  at::Tensor total_weight;         // [B] sum of the frame weights
  at::Tensor frames_per_structure; // int64 [B]
  at::Tensor frames_per_atom;      // int64 [N]
  int64_t size() const { return weights.size(0); }
};

// graph: neighbour list of (at least) r_cut_outer; r_cut_outer is min(backbone cutoff,
// R_CUT_OUTER_UPPER_BOUND) as upstream.
FrameSet compute_frames(const data::Graph& graph, double r_cut_outer, const EcseHypers& hypers);

}  // namespace eqt::models::ecse
