#pragma once
// Equiformer's GraphAttention (MLP attention). For each edge, m = merge_src(x)[src] + merge_dst(x)[dst];
//  - nonlinear messages: m' = depthwise TP(m, sh; radial weights); logits from LinearRS(m') ->
//    SmoothLeakyReLU -> dot with alpha_dot per head; values = gate(lin(m')) -> a second depthwise
//    TP with shared weights -> LinearRS;
//  - linear messages: one SeparableFCTP gives per head [alpha channels | value].
// Then the shared AttentionOutput (softmax over incoming edges, sum, merge heads, proj).
// State dict (as the official module "ga"): merge_src.*, merge_dst.*, alpha_dot, sep_act.*,
// sep_alpha.*, sep_value.* | sep.*, proj.*
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>
#include <utility>
#include <vector>

#include "eqt/models/equiformer/attention_output.h"
#include "eqt/models/equiformer/layers/separable_fctp.h"

namespace eqt::models::equiformer {

struct AttentionSettings {
  so3::Irreps irreps_node_input, irreps_sh, irreps_node_output, irreps_head, irreps_pre_attn;
  std::vector<int64_t> fc_neurons;  // [num_basis, hidden...]
  int num_heads = 1;
  bool rescale_degree = false;
  bool nonlinear_message = false;
  double alpha_drop = 0.0, proj_drop = 0.0;
  double avg_degree = 1.0;
};

// The per-node attention layer interface of a transformer block.
class NodeAttention : public torch::nn::Module {
 public:
  virtual at::Tensor forward(const at::Tensor& x, const EdgeInputs& edges) = 0;
};

class GraphAttention : public NodeAttention {
 public:
  GraphAttention(const AttentionSettings& settings, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x, const EdgeInputs& edges) override;

 private:
  std::pair<at::Tensor, at::Tensor> nonlinear_logits_and_values(const at::Tensor& message,
                                                                const EdgeInputs& edges) const;
  std::pair<at::Tensor, at::Tensor> linear_logits_and_values(const at::Tensor& message,
                                                             const EdgeInputs& edges) const;

  bool nonlinear_;
  int64_t mul_alpha_head_ = 0;
  std::shared_ptr<LinearRS> merge_src_, merge_dst_, sep_alpha_;
  std::shared_ptr<SeparableFCTP> sep_act_, sep_value_, sep_;
  std::unique_ptr<HeadSplit> split_alpha_, split_value_, split_;
  at::Tensor alpha_dot_;  // [1, H, mul_alpha_head]
  std::unique_ptr<AttentionOutput> output_;
};

}  // namespace eqt::models::equiformer
