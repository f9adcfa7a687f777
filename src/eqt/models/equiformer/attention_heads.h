#pragma once
// Head bookkeeping shared by Equiformer's two attention layers.
//  - HeadSplit (Vec2AttnHeads): features whose blocks are irreps_head's blocks with mul*H
//    copies become [rows, H, head_dim], head h taking copies h*mul .. h*mul+mul-1 of every block.
//  - HeadMerge (AttnHeads2Vec): the inverse layout, [rows, H, head_dim] -> [rows, H*head_dim].
//  - attention_weights: PyG's softmax over the edges of each destination node.
//  - aggregate_heads: sum over edges of value * weight into the destination nodes.
// All are single gathers / scatters, no per-block loops at run time.
#include <ATen/ATen.h>

#include <cstdint>

#include "eqt/nn/constant_cache.h"
#include "eqt/nn/irrep_major.h"
#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer {

class HeadSplit {
 public:
  // irreps_input: the irreps of the features to split. They must list, copy by copy, irreps_head's
  // blocks with mul*H copies each; otherwise heads would mix irreps (the official code would then
  // silently break equivariance) and this throws eqt::Error. E.g. graph attention sorts the heads
  // even-first, dot-product attention odd-first: irreps_head must be sorted the same way.
  HeadSplit(const so3::Irreps& irreps_head, int num_heads, const so3::Irreps& irreps_input);
  at::Tensor operator()(const at::Tensor& x) const;  // [rows, H*head_dim] -> [rows, H, head_dim]
  // The same from the IrrepMajor layout of irreps_input: one permuting copy per irrep.
  at::Tensor operator()(const nn::IrrepMajor& x) const;
  int64_t head_dim() const { return head_dim_; }

 private:
  int num_heads_;
  int64_t head_dim_;
  bool identity_ = false;  // the columns are already head-major (one block): a view suffices
  so3::Irreps irreps_head_, irreps_input_;
  nn::ConstantCache constants_;
  int index_slot_ = -1;
};

class HeadMerge {
 public:
  HeadMerge(const so3::Irreps& irreps_head, int num_heads);
  at::Tensor operator()(const at::Tensor& x) const;  // [rows, H, head_dim] -> [rows, H*head_dim]

 private:
  int64_t dim_;
  bool identity_ = false;
  nn::ConstantCache constants_;
  int index_slot_ = -1;
};

// logits [E, H] -> softmax over the edges sharing dst: exp(l - max) / (sum + 1e-16), as PyG. The
// maximum is a constant shift (detached): same values, simpler derivatives.
// With a smooth-cutoff weight c [E] (defined), each edge's exponential is weighted by c inside the
// softmax (a neighbour entering the sphere starts with zero weight and leaves the others' weights
// unchanged), and the result is multiplied by c once more, so that a node's only neighbour also
// fades in and out smoothly: w_e = c_e * c_e exp(l_e) / (sum_{e'} c_e' exp(l_e') + 1e-16).
at::Tensor attention_weights(const at::Tensor& logits, const at::Tensor& dst, int64_t num_nodes,
                             const at::Tensor& cutoff = at::Tensor());

// sum_{e: dst[e] = i} value[e] * weight[e]: value [E, H, d], weight [E, H] -> [N, H, d].
at::Tensor aggregate_heads(const at::Tensor& value, const at::Tensor& weight, const at::Tensor& dst,
                           int64_t num_nodes);

}  // namespace eqt::models::equiformer
