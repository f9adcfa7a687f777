#pragma once
// The biases of Equiformer's TensorProductRescale / LinearRS: one parameter per 0e block of
// irreps_out.simplify(), added to that slice of the output. Registered as "0", "1", ... so that a
// module holding it under the name "bias" reproduces the official ParameterList names (bias.0).
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <vector>

#include "eqt/nn/constant_cache.h"
#include "eqt/nn/irrep_major.h"
#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer {

class RescaleBias : public torch::nn::Module {
 public:
  RescaleBias(const so3::Irreps& irreps_out, c10::ScalarType dtype);

  // out [..., irreps_out.dim()] + the biases on their slices (zeros elsewhere); one gather + add.
  at::Tensor forward(const at::Tensor& out) const;
  // The same on an IrrepMajor output: the biases, side by side, are exactly the 0e part's columns.
  nn::IrrepMajor forward(const nn::IrrepMajor& out) const;
  bool empty() const { return biases_.empty(); }

 private:
  std::vector<at::Tensor> biases_;
  nn::ConstantCache constants_;
  int index_slot_ = -1;  // [dim] position of each output component in [biases..., 0]
};

// 1/sqrt(fan_in) per output block, the "rescale" of TensorProductRescale: fan_in of a block is
// summed over the instructions writing to it (uvw: mul1*mul2, uvu: mul2, uvv/uuw: mul1, uuu: 1).
std::vector<double> rescale_factors(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                                    const so3::Irreps& irreps_out, const std::vector<int>& i_in1,
                                    const std::vector<int>& i_in2, const std::vector<int>& i_out,
                                    const std::vector<std::string>& modes);

}  // namespace eqt::models::equiformer
