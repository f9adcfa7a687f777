#pragma once
// Common ground of Equiformer's equivariant normalisations (the `norm_layer` option).
// Features are [N, irreps.dim()] in e3nn layout; each `mul x ir` block is viewed as [N, mul, 2l+1].
// Only per-copy squared norms (and, for 0e, the plain values) enter the statistics, so every
// variant is O(3)-equivariant.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer {

// How a copy's squared size is measured: 'component' = mean over m, 'norm' = sum over m.
enum class NormNormalization { Component, Norm };

class EquivariantNorm : public torch::nn::Module {
 public:
  explicit EquivariantNorm(so3::Irreps irreps);
  // x: [N, irreps.dim()]; batch: [N] int64 graph index per node (ignored by the layer norms).
  virtual at::Tensor forward(const at::Tensor& x, const at::Tensor& batch) = 0;
  const so3::Irreps& irreps() const { return irreps_; }

 protected:
  // One `mul x ir` block of the feature vector.
  struct Block {
    int64_t start = 0;
    int64_t mul = 0;
    int64_t dim = 0;      // 2l+1
    bool scalar = false;  // 0e: centred and given a bias
  };
  const std::vector<Block>& blocks() const { return blocks_; }
  void check_input(const at::Tensor& x, const char* norm_name) const;

 private:
  so3::Irreps irreps_;
  std::vector<Block> blocks_;
};

// The variants with Equiformer's affine parameters: affine_weight [num_irreps] (one per copy,
// init 1) and affine_bias [number of 0e copies] (init 0). Not registered when !affine.
class AffineEquivariantNorm : public EquivariantNorm {
 public:
  AffineEquivariantNorm(so3::Irreps irreps, double eps, bool affine,
                        NormNormalization normalization, c10::ScalarType dtype);
  double eps() const { return eps_; }
  bool affine() const { return affine_; }
  NormNormalization normalization() const { return normalization_; }

  at::Tensor affine_weight, affine_bias;

 protected:
  // [.., mul, dim] -> [.., mul]: mean (component) or sum (norm) of squares over m.
  at::Tensor squared_size(const at::Tensor& field) const;
  // field [N, mul, dim] * inv_scale [N or 1, mul] (times affine weight), plus the 0e bias.
  // `copy_offset` / `scalar_offset` index the block's first copy in the weight / bias.
  at::Tensor rescale(const at::Tensor& field, const at::Tensor& inv_scale, const Block& block,
                     int64_t copy_offset, int64_t scalar_offset) const;

 private:
  double eps_;
  bool affine_;
  NormNormalization normalization_;
};

}  // namespace eqt::models::equiformer
