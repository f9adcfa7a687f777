#pragma once
// Stochastic regularisers of Equiformer (nets/drop.py). All are the identity in eval mode or
// with probability 0; in training they rescale survivors by 1/(1-p) so expectations are kept.
// Random numbers come from ATen's default generator (seed with at::manual_seed).
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer {

// Stochastic depth: each row x[i] (first dimension) is zeroed with probability p, else / (1-p).
at::Tensor drop_path(const at::Tensor& x, double drop_prob, bool training);

class DropPath : public torch::nn::Module {
 public:
  explicit DropPath(double drop_prob);
  at::Tensor forward(const at::Tensor& x);
  double drop_prob() const { return drop_prob_; }

 private:
  double drop_prob_;
};

// Drop path per structure: all nodes of one graph (batch[i]) share the keep/drop decision.
class GraphDropPath : public torch::nn::Module {
 public:
  explicit GraphDropPath(double drop_prob);
  // x [N, ...], batch [N] int64 graph index per node.
  at::Tensor forward(const at::Tensor& x, const at::Tensor& batch);
  double drop_prob() const { return drop_prob_; }

 private:
  double drop_prob_;
};

// Dropout of whole irrep copies: one Bernoulli draw per (node, copy) scales all 2l+1
// components of that copy together, which keeps the features equivariant.
class EquivariantDropout : public torch::nn::Module {
 public:
  EquivariantDropout(so3::Irreps irreps, double drop_prob);
  at::Tensor forward(const at::Tensor& x);  // x [N, irreps.dim()]

 private:
  so3::Irreps irreps_;
  double drop_prob_;
  std::vector<int64_t> copy_of_column_;  // feature column -> irrep copy index
};

// Plain dropout on the 0e blocks only; other blocks pass through (nets/drop.py's
// EquivariantScalarsDropout).
class EquivariantScalarsDropout : public torch::nn::Module {
 public:
  EquivariantScalarsDropout(so3::Irreps irreps, double drop_prob);
  at::Tensor forward(const at::Tensor& x);  // x [..., irreps.dim()]

 private:
  so3::Irreps irreps_;
  double drop_prob_;
};

}  // namespace eqt::models::equiformer
