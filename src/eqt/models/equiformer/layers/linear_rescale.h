#pragma once
// Equiformer's LinearRS (nets/tensor_product_rescale.py): a fully connected tensor product of x
// with the constant 1x0e input "ones", path_normalization 'none', biases on the 0e blocks of
// irreps_out.simplify(). Since path_weight * wigner_3j(l, 0, l) is the identity, this is an
// equivariant linear map with *unnormalised* weights, so it runs as nn::Linear (grouped by irrep,
// one matrix product per irrep) instead of a tensor product.
//
// The same module stands for FullyConnectedTensorProductRescale(x, node_attr) whenever node_attr
// is Equiformer's 1x0e ones (always so in the energy models): the instructions, the flat weight
// layout [mul_in, 1, mul_out] and the result are identical.
//
// State dict: tp.weight [weight_numel], bias.0, bias.1, ... (one per simplified 0e output block).
// Initialisation as the official one: weight ~ N(0,1) / sqrt(fan_in of its output block).
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/nn/linear.h"
#include "eqt/models/equiformer/layers/rescale_bias.h"

namespace eqt::models::equiformer {

class LinearRS : public torch::nn::Module {
 public:
  LinearRS(const so3::Irreps& irreps_in, const so3::Irreps& irreps_out, bool use_bias = true,
           c10::ScalarType dtype = at::kFloat);

  at::Tensor forward(const at::Tensor& x) const;  // [..., in.dim()] -> [..., out.dim()]
  at::Tensor forward(const nn::IrrepMajor& x) const;  // nn::IrrepMajor of in -> [Z, out.dim()]
  nn::IrrepMajor forward_to_irrep_major(const nn::IrrepMajor& x) const;

  const so3::Irreps& irreps_in() const { return tp->irreps_in(); }
  const so3::Irreps& irreps_out() const { return tp->irreps_out(); }

  std::shared_ptr<nn::Linear> tp;
  std::shared_ptr<RescaleBias> bias;
};

}  // namespace eqt::models::equiformer
