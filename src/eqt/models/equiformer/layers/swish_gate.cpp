#include "eqt/models/equiformer/layers/swish_gate.h"

#include <string>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/nn/activation.h"

namespace eqt::models::equiformer {

SwishGate::SwishGate(const so3::Irreps& irreps_output) {
  const GateIrreps split = irreps_to_gate(irreps_output);
  if (split.gated.num_irreps() == 0) {
    for (const auto& block : irreps_output) {
      if (!block.ir.is_scalar()) fail("SwishGate: {} holds a non-scalar block", irreps_output.str());
    }
    irreps_input_ = irreps_output;
    return;
  }
  gate_ = register_module(
      "gate", std::make_shared<nn::Gate>(split.scalars, std::vector<std::string>(split.scalars.size(), "silu"),
                                     split.gates, std::vector<std::string>(split.gates.size(), "sigmoid"),
                                     split.gated, nn::GateLayout::Concatenated));
  irreps_input_ = split.gate_input();
}

at::Tensor SwishGate::forward(const at::Tensor& x) const {
  if (gate_) return gate_->forward(x);
  return nn::normalized_activation("silu")(x);
}

}  // namespace eqt::models::equiformer
