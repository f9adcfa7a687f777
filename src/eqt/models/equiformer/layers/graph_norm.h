#pragma once
// Equivariant normalisations whose statistics run over all nodes of each graph (structure) of
// the batch, per channel: Equiformer's EquivariantInstanceNorm ('instance') and
// EquivariantGraphNorm ('graph'). Per block [N, mul, d] and graph g:
//   0e: x -= shift * mean_{nodes of g}(x)   (shift = 1 for instance norm, learnt for graph norm)
//   n[g, copy] = reduce_{nodes of g} squared_size(x)   (reduce = mean (default) or max)
//   x *= (n[g] + eps)^-1/2 * affine_weight[copy];  0e: += affine_bias[channel].
// Unlike the layer norms, copies are not averaged together. An empty graph index gives zero
// statistics, as torch_geometric's pooling does.
#include "eqt/models/equiformer/layers/equivariant_norm.h"

namespace eqt::models::equiformer {

enum class GraphReduce { Mean, Max };

// State dict: affine_weight [num_irreps], affine_bias [num 0e copies].
class EquivariantInstanceNorm : public AffineEquivariantNorm {
 public:
  explicit EquivariantInstanceNorm(so3::Irreps irreps, double eps = 1e-5, bool affine = true,
                                   GraphReduce reduce = GraphReduce::Mean,
                                   NormNormalization normalization = NormNormalization::Component,
                                   c10::ScalarType dtype = at::kFloat);
  // batch: [N] int64, graph index of each node (0 .. num_graphs-1).
  at::Tensor forward(const at::Tensor& x, const at::Tensor& batch) override;

 protected:
  // Per-channel centring multiplier of the 0e channels [mul] (undefined: plain centring).
  virtual at::Tensor centring_shift(int64_t /*scalar_offset*/, int64_t /*mul*/) const { return {}; }

 private:
  GraphReduce reduce_;
};

// As instance norm, with a learnt centring multiplier. State dict: mean_shift [num 0e copies]
// (init 1, present even when !affine), affine_weight, affine_bias.
class EquivariantGraphNorm : public EquivariantInstanceNorm {
 public:
  explicit EquivariantGraphNorm(so3::Irreps irreps, double eps = 1e-5, bool affine = true,
                                GraphReduce reduce = GraphReduce::Mean,
                                NormNormalization normalization = NormNormalization::Component,
                                c10::ScalarType dtype = at::kFloat);
  at::Tensor mean_shift;

 protected:
  at::Tensor centring_shift(int64_t scalar_offset, int64_t mul) const override;
};

}  // namespace eqt::models::equiformer
