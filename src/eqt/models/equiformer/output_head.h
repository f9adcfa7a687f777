#pragma once
// Equiformer's energy head: LinearRS(irreps_feature -> irreps_feature) -> normalised SiLU ->
// LinearRS(-> 1x0e), per atom. (The norm before it and the sum over atoms belong to the model.)
// State dict, as the official nn.Sequential "head": 0.tp.weight, 0.bias.0, 2.tp.weight, 2.bias.0
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/equiformer/layers/linear_rescale.h"

namespace eqt::models::equiformer {

class OutputHead : public torch::nn::Module {
 public:
  OutputHead(const so3::Irreps& irreps_feature, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& features) const;  // [N, feature dim] -> [N]

 private:
  std::shared_ptr<LinearRS> hidden_, output_;
};

}  // namespace eqt::models::equiformer
