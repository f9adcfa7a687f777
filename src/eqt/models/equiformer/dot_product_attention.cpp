#include "eqt/models/equiformer/dot_product_attention.h"

#include <cmath>
#include <vector>

namespace eqt::models::equiformer {

DotProductAttention::DotProductAttention(const AttentionSettings& s, c10::ScalarType dtype)
    : num_heads_(s.num_heads) {
  const so3::Irreps attn_heads = s.irreps_head.repeat(s.num_heads).sort().irreps.simplify();
  const so3::Irreps kv_heads = s.irreps_head.repeat(2 * s.num_heads).sort().irreps.simplify();
  query_ = register_module("query", std::make_shared<LinearRS>(s.irreps_node_input, attn_heads, true, dtype));
  merge_src_ = register_module("merge_src", std::make_shared<LinearRS>(s.irreps_node_input, s.irreps_pre_attn, true, dtype));
  merge_dst_ = register_module("merge_dst", std::make_shared<LinearRS>(s.irreps_node_input, s.irreps_pre_attn, false, dtype));
  key_value_ = register_module("key_value", std::make_shared<SeparableFCTP>(s.irreps_pre_attn, s.irreps_sh, kv_heads,
                                                                                s.fc_neurons, false, dtype));
  split_q_ = std::make_unique<HeadSplit>(s.irreps_head, s.num_heads, attn_heads);
  split_kv_ = std::make_unique<HeadSplit>(s.irreps_head, 2 * s.num_heads, kv_heads);
  const double channel_factor = 1.0 / std::sqrt(static_cast<double>(s.irreps_head.num_irreps()));
  std::vector<double> scale;
  for (const auto& block : s.irreps_head) {
    scale.insert(scale.end(), block.mul * block.ir.dim(), channel_factor * (1.0 / std::sqrt(static_cast<double>(block.ir.dim()))));
  }
  query_scale_ = at::tensor(scale, at::kDouble);
  AttentionOutputOptions out_options{s.alpha_drop, s.proj_drop, s.rescale_degree, s.avg_degree};
  output_ = std::make_unique<AttentionOutput>(s.irreps_head, s.num_heads, attn_heads, s.irreps_node_output,
                                              out_options, dtype);
  register_module("proj", output_->proj);
  register_module("proj_drop", output_->proj_drop);
}

at::Tensor DotProductAttention::forward(const at::Tensor& x, const EdgeInputs& edges) {
  const at::Tensor q = (*split_q_)(query_->forward(x)) * query_scale_.to(x.options());
  const at::Tensor message =
      merge_src_->forward(x).index_select(0, edges.src) + merge_dst_->forward(x).index_select(0, edges.dst);
  const at::Tensor kv = (*split_kv_)(key_value_->forward(message, edges.sh, edges.radial));
  const at::Tensor keys = kv.narrow(1, 0, num_heads_);
  const at::Tensor values = kv.narrow(1, num_heads_, num_heads_);
  const at::Tensor logits = (q.index_select(0, edges.dst) * keys).sum(-1);
  return output_->forward(logits, values, edges, is_training());
}

}  // namespace eqt::models::equiformer
