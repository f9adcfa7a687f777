#pragma once
// Equiformer's TransBlock / DPTransBlock (pre-norm):
//   x1  = x + DropPath(Attention(Norm1(x)))
//   out = Shortcut(x1) + DropPath(FFN(Norm2(x1)))
// Shortcut is the identity, or a LinearRS (FCTP with the ones node_attr) when the block changes
// irreps (the last block maps to irreps_feature). Drop path acts per structure, training only.
// State dict: norm_1.*, ga.* | dpa.*, norm_2.*, ffn.*, ffn_shortcut.*
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>
#include <string>

#include "eqt/models/equiformer/feed_forward.h"
#include "eqt/models/equiformer/graph_attention.h"
#include "eqt/models/equiformer/layers/drop.h"
#include "eqt/models/equiformer/layers/equivariant_norm.h"

namespace eqt::models::equiformer {

struct BlockSettings {
  AttentionSettings attention;
  bool dot_product = false;
  so3::Irreps irreps_block_output, irreps_mlp_mid;
  std::string norm_layer = "layer";
  double norm_eps = 1e-5;
  double drop_path_rate = 0.0;
};

class TransformerBlock : public torch::nn::Module {
 public:
  TransformerBlock(const BlockSettings& settings, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x, const EdgeInputs& edges);

 private:
  std::shared_ptr<EquivariantNorm> norm_1_, norm_2_;
  std::shared_ptr<NodeAttention> attention_;
  std::shared_ptr<FeedForward> ffn_;
  std::shared_ptr<LinearRS> ffn_shortcut_;  // null: identity
  std::shared_ptr<GraphDropPath> drop_path_;
};

}  // namespace eqt::models::equiformer
