#pragma once
// Equiformer's DotProductAttention: queries q = ScaleFactor(heads(LinearRS(x))) per node; per edge
// keys and values from one SeparableFCTP of merge_src(x)[src] + merge_dst(x)[dst] (2H heads: the
// first H are keys, the next H values); logits = <q[dst], k> per head. ScaleFactor multiplies each
// head block by 1/sqrt(num_irreps(irreps_head) * (2l+1)). Head irreps are sorted e3nn-style here
// (odd before even), unlike graph attention.
// State dict (official module "dpa"): query.*, merge_src.*, merge_dst.*, key_value.*, proj.*
#include <ATen/ATen.h>

#include <memory>

#include "eqt/models/equiformer/graph_attention.h"

namespace eqt::models::equiformer {

class DotProductAttention : public NodeAttention {
 public:
  DotProductAttention(const AttentionSettings& settings, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x, const EdgeInputs& edges) override;

 private:
  int num_heads_;
  std::shared_ptr<LinearRS> query_, merge_src_, merge_dst_;
  std::shared_ptr<SeparableFCTP> key_value_;
  std::unique_ptr<HeadSplit> split_q_, split_kv_;
  at::Tensor query_scale_;  // [head_dim] float64 master, converted per call
  std::unique_ptr<AttentionOutput> output_;
};

}  // namespace eqt::models::equiformer
