#include "eqt/models/equiformer/output_head.h"

#include "eqt/core/error.h"
#include "eqt/nn/activation.h"

namespace eqt::models::equiformer {

OutputHead::OutputHead(const so3::Irreps& irreps_feature, c10::ScalarType dtype) {
  for (const auto& block : irreps_feature) {
    if (!block.ir.is_scalar()) {
      fail("Equiformer: irreps_feature must hold only 0e blocks for the energy head, not {}", irreps_feature.str());
    }
  }
  hidden_ = register_module("0", std::make_shared<LinearRS>(irreps_feature, irreps_feature, true, dtype));
  output_ = register_module("2", std::make_shared<LinearRS>(irreps_feature, so3::Irreps("1x0e"), true, dtype));
}

at::Tensor OutputHead::forward(const at::Tensor& features) const {
  const at::Tensor hidden = nn::normalized_activation("silu")(hidden_->forward(features));
  return output_->forward(hidden).squeeze(-1);
}

}  // namespace eqt::models::equiformer
