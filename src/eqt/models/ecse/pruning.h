#pragma once
// Pruning of ECSE frames, per structure: with m the smooth max of the frame weights (BETA_WEIGHTS),
// every weight is multiplied by q(w; 0.9 m, 0.1 m) (so frames well below the best ones fade out
// smoothly) once (PRUNING_MODE "single", eqt's default) or NUM_PRUNINGS times with m recomputed
// each pass ("official", upstream; see hypers.h for why that is not the default), blended towards 1 by the turn-on switch
// t = cutoff(m; PRUNING_TURN_ON_THRESHOLD, ..._DELTA) so that pruning is off when all frames are
// poor. Frames whose weight drops to <= epsilon are removed after each pass. Also gives the
// weight of the fallback (aux) model, cutoff(m; AUX_THRESHOLD, AUX_THRESHOLD_DELTA), which is 1
// for structures without any frame.
#include <ATen/ATen.h>

#include "eqt/models/ecse/hypers.h"

namespace eqt::models::ecse {

struct PrunedWeights {
  at::Tensor kept;        // int64 [F'] indices into the input frames
  at::Tensor weights;     // [F'] pruned weights of the kept frames
  at::Tensor weight_aux;  // [B]
};

// weights: [F] (> epsilon); structure: int64 [F] structure of each frame.
PrunedWeights prune_frames(const at::Tensor& weights, const at::Tensor& structure, int64_t num_structures,
                           const EcseHypers& hypers);

// Indices of entries > epsilon (a discrete selection made without gradients).
at::Tensor above_epsilon(const at::Tensor& weights, double epsilon);

}  // namespace eqt::models::ecse
