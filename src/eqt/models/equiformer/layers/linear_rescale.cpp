#include "eqt/models/equiformer/layers/linear_rescale.h"

#include <vector>

namespace eqt::models::equiformer {

LinearRS::LinearRS(const so3::Irreps& irreps_in, const so3::Irreps& irreps_out, bool use_bias,
                   c10::ScalarType dtype) {
  nn::LinearOptions options;
  options.path_normalization = "none";
  tp = register_module("tp", std::make_shared<nn::Linear>(irreps_in, irreps_out, options));
  // The official rescale: each weight block scaled by 1/sqrt(fan_in of its output block).
  std::vector<int> i_in, i_out;
  std::vector<std::string> modes;
  for (const auto& ins : tp->instructions()) {
    if (ins.i_in < 0) continue;
    i_in.push_back(ins.i_in);
    i_out.push_back(ins.i_out);
    modes.emplace_back("uvw");
  }
  const auto factors = rescale_factors(irreps_in, so3::Irreps("1x0e"), irreps_out, i_in,
                                       std::vector<int>(i_in.size(), 0), i_out, modes);
  std::vector<double> scale;
  for (const auto& ins : tp->instructions()) {
    if (ins.i_in < 0) continue;
    scale.insert(scale.end(), ins.path_shape[0] * ins.path_shape[1], factors[ins.i_out]);
  }
  {
    at::NoGradGuard no_grad;
    tp->weight.mul_(at::tensor(scale, at::kDouble).to(tp->weight.scalar_type()));
  }
  tp->to(dtype);
  bias = register_module("bias", std::make_shared<RescaleBias>(use_bias ? irreps_out : so3::Irreps(), dtype));
}

at::Tensor LinearRS::forward(const at::Tensor& x) const { return bias->forward(tp->forward(x)); }

at::Tensor LinearRS::forward(const nn::IrrepMajor& x) const { return bias->forward(tp->forward(x)); }

nn::IrrepMajor LinearRS::forward_to_irrep_major(const nn::IrrepMajor& x) const {
  return bias->forward(tp->forward_to_irrep_major(x));
}

}  // namespace eqt::models::equiformer
