#include "eqt/models/equiformer/transformer_block.h"

#include "eqt/models/equiformer/dot_product_attention.h"
#include "eqt/models/equiformer/layers/norm_factory.h"

namespace eqt::models::equiformer {

TransformerBlock::TransformerBlock(const BlockSettings& s, c10::ScalarType dtype) {
  const so3::Irreps& irreps_in = s.attention.irreps_node_input;
  norm_1_ = register_module("norm_1", make_norm(s.norm_layer, irreps_in, s.norm_eps, dtype));
  if (s.dot_product) {
    attention_ = register_module("dpa", std::make_shared<DotProductAttention>(s.attention, dtype));
  } else {
    attention_ = register_module("ga", std::make_shared<GraphAttention>(s.attention, dtype));
  }
  drop_path_ = register_module("drop_path", std::make_shared<GraphDropPath>(s.drop_path_rate));
  norm_2_ = register_module("norm_2", make_norm(s.norm_layer, irreps_in, s.norm_eps, dtype));
  ffn_ = register_module("ffn", std::make_shared<FeedForward>(irreps_in, s.irreps_block_output, s.irreps_mlp_mid,
                                                              s.attention.proj_drop, dtype));
  if (irreps_in != s.irreps_block_output) {
    ffn_shortcut_ =
        register_module("ffn_shortcut", std::make_shared<LinearRS>(irreps_in, s.irreps_block_output, true, dtype));
  }
}

at::Tensor TransformerBlock::forward(const at::Tensor& x, const EdgeInputs& edges) {
  const at::Tensor attended = attention_->forward(norm_1_->forward(x, edges.batch), edges);
  const at::Tensor x1 = x + drop_path_->forward(attended, edges.batch);
  const at::Tensor fed = ffn_->forward(norm_2_->forward(x1, edges.batch));
  const at::Tensor shortcut = ffn_shortcut_ ? ffn_shortcut_->forward(x1) : x1;
  return shortcut + drop_path_->forward(fed, edges.batch);
}

}  // namespace eqt::models::equiformer
