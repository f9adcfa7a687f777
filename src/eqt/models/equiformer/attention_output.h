#pragma once
// The common tail of Equiformer's attention layers: softmax of the logits over each node's
// incoming edges, attention dropout (training only), weighted sum of the values, heads merged,
// optional degree rescaling, LinearRS projection and equivariant dropout (training only).
// Not a module itself: the owning attention layer registers proj and proj_drop under its own
// name (the official state dict has ga.proj.*), so train()/eval() reach them.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/equiformer/attention_heads.h"
#include "eqt/models/equiformer/edge_inputs.h"
#include "eqt/models/equiformer/layers/drop.h"
#include "eqt/models/equiformer/layers/linear_rescale.h"

namespace eqt::models::equiformer {

struct AttentionOutputOptions {
  double alpha_drop = 0.0;
  double proj_drop = 0.0;
  bool rescale_degree = false;
  // Dot-product attention divides the degree by avg_degree; graph attention does not.
  double degree_divisor = 1.0;
};

class AttentionOutput {
 public:
  AttentionOutput(const so3::Irreps& irreps_head, int num_heads, const so3::Irreps& irreps_attn_heads,
                  const so3::Irreps& irreps_node_output, AttentionOutputOptions options, c10::ScalarType dtype);

  // logits [E, H], values [E, H, head_dim] -> [N, irreps_node_output.dim()]
  // training: attention dropout on (the proj dropout follows its own module flag).
  at::Tensor forward(const at::Tensor& logits, const at::Tensor& values, const EdgeInputs& edges,
                     bool training) const;

  std::shared_ptr<LinearRS> proj;
  std::shared_ptr<EquivariantDropout> proj_drop;

 private:
  HeadMerge merge_;
  AttentionOutputOptions options_;
};

}  // namespace eqt::models::equiformer
