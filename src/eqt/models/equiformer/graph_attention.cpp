#include "eqt/models/equiformer/graph_attention.h"

#include <cmath>

#include "eqt/nn/activation.h"
#include "eqt/models/equiformer/layers/equiformer_irreps.h"

namespace eqt::models::equiformer {

namespace {

so3::Irreps scalars(int mul) { return so3::Irreps(mul, so3::Irrep(0, 1)); }

}  // namespace

GraphAttention::GraphAttention(const AttentionSettings& s, c10::ScalarType dtype) : nonlinear_(s.nonlinear_message) {
  merge_src_ = register_module("merge_src", std::make_shared<LinearRS>(s.irreps_node_input, s.irreps_pre_attn, true, dtype));
  merge_dst_ = register_module("merge_dst", std::make_shared<LinearRS>(s.irreps_node_input, s.irreps_pre_attn, false, dtype));
  const so3::Irreps attn_heads = sort_irreps_even_first(s.irreps_head.repeat(s.num_heads)).irreps.simplify();
  const int mul_alpha = scalar_multiplicity(attn_heads);
  mul_alpha_head_ = mul_alpha / s.num_heads;
  const so3::Irreps alpha_irreps = scalars(mul_alpha);
  if (nonlinear_) {
    sep_act_ = register_module("sep_act", std::make_shared<SeparableFCTP>(s.irreps_pre_attn, s.irreps_sh,
                                                                              s.irreps_pre_attn, s.fc_neurons, true, dtype));
    sep_alpha_ = register_module("sep_alpha", std::make_shared<LinearRS>(sep_act_->dtp->irreps_out(), alpha_irreps, true, dtype));
    sep_value_ = register_module("sep_value", std::make_shared<SeparableFCTP>(s.irreps_pre_attn, s.irreps_sh, attn_heads,
                                                                                  std::vector<int64_t>{}, false, dtype));
    split_alpha_ = std::make_unique<HeadSplit>(scalars(static_cast<int>(mul_alpha_head_)), s.num_heads, alpha_irreps);
    split_value_ = std::make_unique<HeadSplit>(s.irreps_head, s.num_heads, attn_heads);
  } else {
    const so3::Irreps attn_all = (alpha_irreps + attn_heads).simplify();
    sep_ = register_module("sep", std::make_shared<SeparableFCTP>(s.irreps_pre_attn, s.irreps_sh, attn_all,
                                                                      s.fc_neurons, false, dtype));
    split_ = std::make_unique<HeadSplit>((scalars(static_cast<int>(mul_alpha_head_)) + s.irreps_head).simplify(),
                                         s.num_heads, attn_all);
  }
  // Glorot-uniform init, as the official (GATv2) code.
  const double bound = std::sqrt(6.0 / static_cast<double>(s.num_heads + mul_alpha_head_));
  alpha_dot_ = register_parameter(
      "alpha_dot", at::empty({1, s.num_heads, mul_alpha_head_}, at::TensorOptions().dtype(dtype)).uniform_(-bound, bound));
  AttentionOutputOptions out_options{s.alpha_drop, s.proj_drop, s.rescale_degree, 1.0};
  output_ = std::make_unique<AttentionOutput>(s.irreps_head, s.num_heads, attn_heads, s.irreps_node_output,
                                              out_options, dtype);
  register_module("proj", output_->proj);
  register_module("proj_drop", output_->proj_drop);
}

std::pair<at::Tensor, at::Tensor> GraphAttention::nonlinear_logits_and_values(const at::Tensor& message,
                                                                              const EdgeInputs& edges) const {
  const nn::IrrepMajor mixed = sep_act_->depthwise(message, edges.sh, edges.radial);
  const at::Tensor alpha = (*split_alpha_)(sep_alpha_->forward(mixed));
  // sep_value has no gate: its linear hands the heads their features without the flat layout.
  const nn::IrrepMajor value =
      sep_value_->lin->forward_to_irrep_major(sep_value_->depthwise(sep_act_->project(mixed), edges.sh, c10::nullopt));
  return {alpha, (*split_value_)(value)};
}

std::pair<at::Tensor, at::Tensor> GraphAttention::linear_logits_and_values(const at::Tensor& message,
                                                                           const EdgeInputs& edges) const {
  const at::Tensor heads = (*split_)(sep_->forward(message, edges.sh, edges.radial));
  return {heads.narrow(2, 0, mul_alpha_head_), heads.narrow(2, mul_alpha_head_, heads.size(2) - mul_alpha_head_)};
}

at::Tensor GraphAttention::forward(const at::Tensor& x, const EdgeInputs& edges) {
  const at::Tensor message =
      merge_src_->forward(x).index_select(0, edges.src) + merge_dst_->forward(x).index_select(0, edges.dst);
  const auto [alpha, value] =
      nonlinear_ ? nonlinear_logits_and_values(message, edges) : linear_logits_and_values(message, edges);
  const at::Tensor activated = nn::normalized_activation("smooth_leaky_relu")(alpha);
  const at::Tensor logits = (activated * alpha_dot_).sum(-1);
  return output_->forward(logits, value, edges, is_training());
}

}  // namespace eqt::models::equiformer
