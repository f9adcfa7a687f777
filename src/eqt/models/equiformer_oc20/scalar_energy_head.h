#pragma once
// The OC20 models' energy head: LinearRS(irreps_feature -> its 0e part) -> normalised SiLU ->
// LinearRS(-> 1x0e), per atom. Unlike the MD17 head (equiformer/output_head.h) it accepts
// non-scalar features, which have no path to the scalar hidden layer.
// State dict, as the official nn.Sequential "head": 0.tp.weight, 0.bias.0, 2.tp.weight, 2.bias.0
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/equiformer/layers/linear_rescale.h"

namespace eqt::models::equiformer_oc20 {

class ScalarEnergyHead : public torch::nn::Module {
 public:
  ScalarEnergyHead(const so3::Irreps& irreps_feature, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& features) const;  // [N, feature dim] -> [N]

 private:
  std::shared_ptr<equiformer::LinearRS> hidden_, output_;
};

// The 0e blocks of `irreps`, in order (e.g. 64x0e+16x1e -> 64x0e). Throws when there are none.
so3::Irreps scalar_part(const so3::Irreps& irreps);

}  // namespace eqt::models::equiformer_oc20
