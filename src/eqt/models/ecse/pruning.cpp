#include "eqt/models/ecse/pruning.h"

#include "eqt/models/ecse/switching.h"

#include <algorithm>

namespace eqt::models::ecse {
namespace {

at::Tensor scalar(double value, const at::Tensor& like) { return at::scalar_tensor(value, like.options()); }

}  // namespace

at::Tensor above_epsilon(const at::Tensor& weights, double epsilon) {
  return (weights.detach() > epsilon).nonzero().view(-1);
}

PrunedWeights prune_frames(const at::Tensor& weights, const at::Tensor& structure, int64_t num_structures,
                           const EcseHypers& hypers) {
  const at::Tensor counts = at::zeros({num_structures}, structure.options()).index_add(
      0, structure, at::ones_like(structure));
  const at::Tensor has_frames = counts > 0;
  const at::Tensor max_weight = segment_smooth_max(weights, weights, hypers.beta_weights, structure, num_structures);
  const at::Tensor aux = cutoff_func(max_weight, scalar(hypers.aux_threshold, weights),
                                     scalar(hypers.aux_threshold_delta, weights), hypers.cutoff_func_mode);
  // Upstream always uses the tanh switch for the turn-on, whatever CUTOFF_FUNC_MODE says.
  const at::Tensor turn_on = cutoff_func(max_weight, scalar(hypers.pruning_turn_on_threshold, weights),
                                         scalar(hypers.pruning_turn_on_threshold_delta, weights), "tanh");

  at::Tensor kept = at::arange(weights.size(0), structure.options());
  at::Tensor w = weights, s = structure;
  // "single": one pass (its maximum is that of the unpruned weights, as in upstream's first pass).
  const int64_t passes = hypers.pruning_mode == "official" ? hypers.num_prunings
                                                           : std::min<int64_t>(hypers.num_prunings, 1);
  for (int64_t pass = 0; pass < passes; ++pass) {
    const at::Tensor m = segment_smooth_max(w, w, hypers.beta_weights, s, num_structures).index_select(0, s);
    const at::Tensor factor = q_func(w, m * hypers.pruning_threshold, m * hypers.pruning_threshold_delta,
                                     hypers.q_func_mode, false);
    const at::Tensor t = turn_on.index_select(0, s);
    w = w * (factor * (1.0 - t) + t);
    const at::Tensor keep = above_epsilon(w, hypers.epsilon);
    w = w.index_select(0, keep);
    s = s.index_select(0, keep);
    kept = kept.index_select(0, keep);
  }
  return {kept, w, at::where(has_frames, aux, at::ones_like(aux))};
}

}  // namespace eqt::models::ecse
