#include "eqt/models/equiformer/layers/tensor_product_rescale.h"

#include <algorithm>
#include <string>

#include "eqt/models/equiformer/layers/equiformer_irreps.h"

namespace eqt::models::equiformer {

TensorProductRescale::TensorProductRescale(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                                           const so3::Irreps& irreps_out,
                                           std::vector<nn::TensorProductInstruction> instructions,
                                           bool use_bias, bool internal_weights, c10::ScalarType dtype) {
  nn::TensorProductOptions options;
  options.irrep_normalization = "component";
  options.path_normalization = "none";
  options.shared_weights = internal_weights;
  options.internal_weights = internal_weights;
  tp = register_module("tp", std::make_shared<nn::TensorProduct>(irreps_in1, irreps_in2, irreps_out,
                                                               std::move(instructions), options));
  if (tp->internal_weights()) {
    std::vector<int> i1, i2, io;
    std::vector<std::string> modes;
    for (const auto& ins : tp->instructions()) {
      i1.push_back(ins.i_in1);
      i2.push_back(ins.i_in2);
      io.push_back(ins.i_out);
      modes.push_back(ins.connection_mode);
    }
    const auto factors = rescale_factors(irreps_in1, irreps_in2, irreps_out, i1, i2, io, modes);
    at::NoGradGuard no_grad;
    for (std::size_t n = 0; n < tp->instructions().size(); ++n) {
      if (!tp->instructions()[n].has_weight) continue;
      tp->weight_view(tp->weight, static_cast<int>(n)).mul_(factors[tp->instructions()[n].i_out]);
    }
  }
  tp->to(dtype);
  bias = register_module("bias", std::make_shared<RescaleBias>(use_bias ? irreps_out : so3::Irreps(), dtype));
}

at::Tensor TensorProductRescale::forward(const at::Tensor& x1, const at::Tensor& x2,
                                         const c10::optional<at::Tensor>& weight) const {
  return bias->forward(tp->forward(x1, x2, weight));
}

nn::IrrepMajor TensorProductRescale::forward_irrep_major(const at::Tensor& x1, const at::Tensor& x2,
                                                     const c10::optional<at::Tensor>& weight) const {
  if (!bias->empty()) return nn::to_irrep_major(irreps_out(), forward(x1, x2, weight));
  return tp->forward_irrep_major(x1, x2, weight);
}

std::shared_ptr<TensorProductRescale> depthwise_tensor_product(const so3::Irreps& irreps_node_input,
                                                               const so3::Irreps& irreps_edge_attr,
                                                               const so3::Irreps& irreps_node_output,
                                                               bool internal_weights, c10::ScalarType dtype) {
  std::vector<so3::MulIrrep> blocks;
  std::vector<nn::TensorProductInstruction> instructions;
  const auto wanted = [&](const so3::Irrep& ir) {
    if (ir.is_scalar()) return true;
    return std::any_of(irreps_node_output.begin(), irreps_node_output.end(),
                       [&](const so3::MulIrrep& b) { return b.ir == ir; });
  };
  for (std::size_t i = 0; i < irreps_node_input.size(); ++i) {
    for (std::size_t j = 0; j < irreps_edge_attr.size(); ++j) {
      for (const auto& ir_out : irreps_node_input[i].ir * irreps_edge_attr[j].ir) {
        if (!wanted(ir_out)) continue;
        nn::TensorProductInstruction ins;
        ins.i_in1 = static_cast<int>(i);
        ins.i_in2 = static_cast<int>(j);
        ins.i_out = static_cast<int>(blocks.size());
        ins.connection_mode = "uvu";
        instructions.push_back(ins);
        blocks.push_back({irreps_node_input[i].mul, ir_out});
      }
    }
  }
  const auto sorted = sort_irreps_even_first(so3::Irreps(blocks));
  for (auto& ins : instructions) ins.i_out = sorted.p[ins.i_out];
  return std::make_shared<TensorProductRescale>(irreps_node_input, irreps_edge_attr, sorted.irreps,
                                                std::move(instructions), /*use_bias=*/false,
                                                internal_weights, dtype);
}

}  // namespace eqt::models::equiformer
