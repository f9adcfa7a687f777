#pragma once
// PET's transformer over the tokens of one centre: multi-head self-attention whose key weights
// are the smooth cutoff multipliers (a neighbour entering or leaving the cutoff fades in / out
// instead of jumping), followed by an MLP, in the PostLN or PreLN arrangement. Works on packed
// tokens (token_rows.h): only the attention uses the padded [N, T] grid. Parameter names
// follow the official state dict (attention.input_linear, norm_attention, mlp.0, mlp.3, ...).
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/token_rows.h"
#include "eqt/nn/basic_layers.h"

namespace eqt::models::pet {

at::Tensor activate(Activation activation, const at::Tensor& x);

// Softmax attention re-weighted by per-key multipliers and renormalised:
// a_qk = softmax(q.k / sqrt(d_head))_k * w_k / (sum_k' ... + 1e-15).
class CutoffAttention : public torch::nn::Module {
 public:
  CutoffAttention(int64_t d_model, int64_t n_head, c10::ScalarType dtype);
  // tokens [M, D] packed (rows tells where each sits in the [N, T] grid), key_weights [N, T]
  // (0 on padding) -> [M, D]
  at::Tensor forward(const at::Tensor& tokens, const TokenRows& rows, const at::Tensor& key_weights) const;

 private:
  int64_t n_head_;
  std::shared_ptr<nn::DenseLayer> input_linear_, output_linear_;
};

class TransformerLayer : public torch::nn::Module {
 public:
  TransformerLayer(const PetHypers& hypers, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& tokens, const TokenRows& rows, const at::Tensor& key_weights) const;

 private:
  at::Tensor mlp(const at::Tensor& x) const;

  TransformerType type_;
  Activation activation_;
  std::shared_ptr<CutoffAttention> attention_;
  std::shared_ptr<nn::ChannelLayerNorm> norm_attention_, norm_mlp_;
  std::shared_ptr<nn::DenseLayer> mlp_in_, mlp_out_;
};

// N_TRANS_LAYERS layers ("layers.j"), plus "final_norm" for PreLN.
class Transformer : public torch::nn::Module {
 public:
  Transformer(const PetHypers& hypers, c10::ScalarType dtype);
  // Packed tokens [M, D] -> [M, D]; see CutoffAttention::forward.
  at::Tensor forward(at::Tensor tokens, const TokenRows& rows, const at::Tensor& key_weights) const;

 private:
  std::vector<std::shared_ptr<TransformerLayer>> layers_;
  std::shared_ptr<nn::ChannelLayerNorm> final_norm_;  // PreLN only
};

}  // namespace eqt::models::pet
