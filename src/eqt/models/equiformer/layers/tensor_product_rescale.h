#pragma once
// Equiformer's TensorProductRescale (nets/tensor_product_rescale.py): an e3nn tensor product with
// path_normalization 'none' and irrep_normalization 'component', plus biases on the 0e blocks of
// irreps_out.simplify(). The 1/sqrt(fan_in) "rescale" lives in the weights (internal weights are
// scaled at construction; external ones must come scaled, e.g. from the radial profile).
//
// depthwise_tensor_product() builds Equiformer's DepthwiseTensorProduct: one 'uvu' path for every
// (input block, edge block, output irrep) whose output irrep is in irreps_node_output or is 0e,
// each path its own output block, the output blocks then sorted even-first by l (not simplified).
//
// State dict: tp.weight (internal weights only), bias.0, ... (when use_bias).
#include <ATen/ATen.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "eqt/models/equiformer/layers/rescale_bias.h"
#include "eqt/nn/tensor_product.h"

namespace eqt::models::equiformer {

class TensorProductRescale : public torch::nn::Module {
 public:
  // internal_weights: one shared, trainable weight vector (tp.weight); otherwise per-sample
  // weights [..., weight_numel] are passed to forward.
  TensorProductRescale(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                       const so3::Irreps& irreps_out, std::vector<nn::TensorProductInstruction> instructions,
                       bool use_bias, bool internal_weights, c10::ScalarType dtype = at::kFloat);

  at::Tensor forward(const at::Tensor& x1, const at::Tensor& x2,
                     const c10::optional<at::Tensor>& weight = c10::nullopt) const;

  // The product in the IrrepMajor layout of irreps_out (for a following Linear).
  nn::IrrepMajor forward_irrep_major(const at::Tensor& x1, const at::Tensor& x2,
                                 const c10::optional<at::Tensor>& weight = c10::nullopt) const;

  const so3::Irreps& irreps_out() const { return tp->irreps_out(); }
  int64_t weight_numel() const { return tp->weight_numel(); }

  std::shared_ptr<nn::TensorProduct> tp;
  std::shared_ptr<RescaleBias> bias;
};

std::shared_ptr<TensorProductRescale> depthwise_tensor_product(const so3::Irreps& irreps_node_input,
                                                               const so3::Irreps& irreps_edge_attr,
                                                               const so3::Irreps& irreps_node_output,
                                                               bool internal_weights,
                                                               c10::ScalarType dtype = at::kFloat);

}  // namespace eqt::models::equiformer
