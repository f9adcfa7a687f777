#include "eqt/models/ecse/frame_set.h"

#include "eqt/models/ecse/frames.h"
#include "eqt/models/ecse/inner_cutoff.h"
#include "eqt/models/ecse/pruning.h"
#include "eqt/models/ecse/switching.h"

namespace eqt::models::ecse {
namespace {

struct Candidates {
  at::Tensor first, second, centre;  // edge / atom indices of the candidate pairs
  at::Tensor weights;
};

// Ordered pairs inside the inner cutoff of their centre and not too collinear, weighted by the
// inner-cutoff factors of both distances and the non-collinearity switch.
Candidates candidate_frames(const at::Tensor& lengths, const NeighbourPairs& pairs, const at::Tensor& spread,
                            const at::Tensor& r_inner, const EcseHypers& hypers) {
  const at::Tensor la = lengths.index_select(0, pairs.first);
  const at::Tensor lb = lengths.index_select(0, pairs.second);
  const at::Tensor rc = r_inner.index_select(0, pairs.centre);
  const double w0 = hypers.w - hypers.delta_w;
  const at::Tensor keep = at::logical_and(at::logical_and(la < rc, lb < rc), spread > w0)
                              .detach().nonzero().view(-1);
  const at::Tensor a = la.index_select(0, keep), b = lb.index_select(0, keep), r = rc.index_select(0, keep);
  const auto opt = lengths.options();
  const at::Tensor delta = at::scalar_tensor(hypers.delta_r_cut, opt);
  const at::Tensor weights =
      cutoff_func(a, r, delta, hypers.cutoff_func_mode) * cutoff_func(b, r, delta, hypers.cutoff_func_mode) *
      q_func(spread.index_select(0, keep), at::scalar_tensor(w0, opt), at::scalar_tensor(hypers.delta_w, opt),
             hypers.q_func_mode, hypers.add_linear_multiplier_q_func);
  return {pairs.first.index_select(0, keep), pairs.second.index_select(0, keep),
          pairs.centre.index_select(0, keep), weights};
}

Candidates select(const Candidates& c, const at::Tensor& index) {
  return {c.first.index_select(0, index), c.second.index_select(0, index), c.centre.index_select(0, index),
          c.weights.index_select(0, index)};
}

at::Tensor count(const at::Tensor& ids, int64_t size) {
  return at::zeros({size}, ids.options()).index_add(0, ids, at::ones_like(ids));
}

}  // namespace

FrameSet compute_frames(const data::Graph& graph, double r_cut_outer, const EcseHypers& hypers) {
  const int64_t n = graph.num_atoms(), b = graph.num_structures();
  const at::Tensor vectors = graph.edge_vectors();
  const at::Tensor lengths = at::sqrt((vectors * vectors).sum(-1));
  const NeighbourPairs pairs = neighbour_pairs(graph.edge_index[0], n);
  const at::Tensor spread =
      non_collinearity(vectors.index_select(0, pairs.first), vectors.index_select(0, pairs.second));
  const at::Tensor r_inner = inner_cutoff(lengths, pairs, spread, n, r_cut_outer, hypers);

  Candidates c = candidate_frames(lengths, pairs, spread, r_inner, hypers);
  c = select(c, above_epsilon(c.weights, hypers.epsilon));
  const at::Tensor structure = graph.batch.index_select(0, c.centre);
  const PrunedWeights pruned = prune_frames(c.weights, structure, b, hypers);
  c = select(c, pruned.kept);

  FrameSet set;
  set.rotations = coordinate_frames(vectors.index_select(0, c.first), vectors.index_select(0, c.second));
  set.weights = pruned.weights;
  set.structure = structure.index_select(0, pruned.kept);
  set.centre = c.centre;
  set.first_edge = c.first;
  set.second_edge = c.second;
  set.weight_aux = pruned.weight_aux;
  set.total_weight = at::zeros({b}, set.weights.options()).index_add(0, set.structure, set.weights);
  set.frames_per_structure = count(set.structure, b);
  set.frames_per_atom = count(set.centre, n);
  return set;
}

}  // namespace eqt::models::ecse
