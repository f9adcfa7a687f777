#include "eqt/models/equiformer_oc20/scalar_energy_head.h"

#include <vector>

#include "eqt/core/error.h"
#include "eqt/nn/activation.h"

namespace eqt::models::equiformer_oc20 {

so3::Irreps scalar_part(const so3::Irreps& irreps) {
  std::vector<so3::MulIrrep> scalars;
  for (const auto& block : irreps) {
    if (block.ir.is_scalar()) scalars.push_back(block);
  }
  if (scalars.empty()) fail("Equiformer OC20: irreps_feature {} has no 0e block for the energy head", irreps.str());
  return so3::Irreps(scalars);
}

ScalarEnergyHead::ScalarEnergyHead(const so3::Irreps& irreps_feature, c10::ScalarType dtype) {
  const so3::Irreps scalars = scalar_part(irreps_feature);
  hidden_ = register_module("0", std::make_shared<equiformer::LinearRS>(irreps_feature, scalars, true, dtype));
  output_ = register_module("2", std::make_shared<equiformer::LinearRS>(scalars, so3::Irreps("1x0e"), true, dtype));
}

at::Tensor ScalarEnergyHead::forward(const at::Tensor& features) const {
  // The activation sees only scalars, so plain element-wise SiLU is equivariant here.
  const at::Tensor hidden = nn::normalized_activation("silu")(hidden_->forward(features));
  return output_->forward(hidden).squeeze(-1);
}

}  // namespace eqt::models::equiformer_oc20
