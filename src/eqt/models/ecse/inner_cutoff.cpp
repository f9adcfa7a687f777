#include "eqt/models/ecse/inner_cutoff.h"

#include <cmath>

#include "eqt/models/ecse/switching.h"

namespace eqt::models::ecse {

at::Tensor inner_cutoff(const at::Tensor& lengths, const NeighbourPairs& pairs, const at::Tensor& spread,
                        int64_t num_atoms, double r_cut_outer, const EcseHypers& hypers) {
  const auto options = lengths.options();
  const at::Tensor la = lengths.index_select(0, pairs.first);
  const at::Tensor lb = lengths.index_select(0, pairs.second);
  // Unordered pairs with both neighbours inside the outer cutoff (a discrete choice, as upstream;
  // such pairs enter with zero weight anyway).
  const at::Tensor keep = at::logical_and(pairs.ordered, at::logical_and(la <= r_cut_outer, lb <= r_cut_outer))
                              .detach().nonzero().view(-1);
  const at::Tensor a = la.index_select(0, keep), b = lb.index_select(0, keep);
  const at::Tensor q = spread.index_select(0, keep);
  const at::Tensor centre = pairs.centre.index_select(0, keep);

  // Smooth max of the two distances (beta), shifted up so that it bounds the true max.
  const at::Tensor ea = at::exp(a * hypers.beta), eb = at::exp(b * hypers.beta);
  const at::Tensor pair_max = (ea * a + eb * b) / (ea + eb) + lambert_w0_of_inverse_e() / hypers.beta;

  const at::Tensor outer = at::scalar_tensor(r_cut_outer, options);
  const at::Tensor delta = at::scalar_tensor(hypers.delta_r_cut, options);
  const at::Tensor weight = cutoff_func(a, outer, delta, hypers.cutoff_func_mode) *
                            cutoff_func(b, outer, delta, hypers.cutoff_func_mode) *
                            q_func(q, at::scalar_tensor(hypers.w, options),
                                   at::scalar_tensor(hypers.delta_w, options), hypers.q_func_mode, false);

  // Smooth minimum (beta -> -beta) including the outer cutoff itself with weight 1.
  const double base = std::exp(-hypers.beta * r_cut_outer);
  const at::Tensor factor = at::exp(-hypers.beta * pair_max) * weight;
  const at::Tensor numerator = at::full({num_atoms}, base * r_cut_outer, options).index_add(0, centre, factor * pair_max);
  const at::Tensor denominator = at::full({num_atoms}, base, options).index_add(0, centre, factor);
  return numerator / denominator + hypers.delta_r_cut;
}

}  // namespace eqt::models::ecse
