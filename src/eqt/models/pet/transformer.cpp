#include "eqt/models/pet/transformer.h"

#include <cmath>
#include <string>

#include "eqt/nn/batched_small_matmul.h"
#include "eqt/nn/fast_linear.h"
#include "eqt/nn/fast_silu.h"

namespace eqt::models::pet {
namespace {
// Same constants as torch.nn.LayerNorm's default and the official renormalisation.
constexpr double kLayerNormEps = 1e-5;
constexpr double kRenormEps = 1e-15;
}  // namespace

at::Tensor activate(Activation activation, const at::Tensor& x) {
  return activation == Activation::silu ? nn::fast_silu(x) : at::mish(x);
}

CutoffAttention::CutoffAttention(int64_t d_model, int64_t n_head, c10::ScalarType dtype)
    : n_head_(n_head) {
  input_linear_ = register_module("input_linear", std::make_shared<nn::DenseLayer>(d_model, 3 * d_model, true, dtype));
  output_linear_ = register_module("output_linear", std::make_shared<nn::DenseLayer>(d_model, d_model, true, dtype));
}

at::Tensor CutoffAttention::forward(const at::Tensor& tokens, const TokenRows& rows, const at::Tensor& key_weights) const {
  const int64_t m = tokens.size(0), d = tokens.size(1), n = rows.rows, t = rows.columns;
  const int64_t d_head = d / n_head_;
  // Packed [M, 3, H, d_head] -> grid [3, H, N * T, d_head] (zeros on padding): q, k and v of every
  // head are then contiguous [H * N, T, d_head] batches for bmm, without further copies.
  const at::Tensor qkv = nn::fast_linear(*input_linear_, tokens).view({m, 3, n_head_, d_head}).permute({1, 2, 0, 3});
  const at::Tensor grid = at::zeros({3, n_head_, n * t, d_head}, tokens.options()).index_copy(2, rows.slot, qkv);
  const auto part = [&](int64_t i) { return grid.select(0, i).view({n_head_ * n, t, d_head}); };
  const at::Tensor scores = nn::batched_small_mm_nt(part(0), part(1)) * (1.0 / std::sqrt(double(d_head)));
  // The softmax normalisation cancels in the renormalisation, but is kept so that the epsilon
  // acts on the same scale as in the official model.
  at::Tensor weights = at::softmax(scores.view({n_head_, n, t, t}), -1) * key_weights.view({1, n, 1, t});
  weights = weights / (weights.sum(-1, /*keepdim=*/true) + kRenormEps);
  const at::Tensor mixed = nn::batched_small_mm(weights.view({n_head_ * n, t, t}), part(2)).view({n_head_, n * t, d_head});
  // Back to packed tokens [M, H * d_head].
  return nn::fast_linear(*output_linear_, mixed.index_select(1, rows.slot).permute({1, 0, 2}).reshape({m, d}));
}

TransformerLayer::TransformerLayer(const PetHypers& hypers, c10::ScalarType dtype)
    : type_(hypers.transformer_type), activation_(hypers.activation) {
  const int64_t d = hypers.d_model;
  attention_ = register_module("attention", std::make_shared<CutoffAttention>(d, hypers.n_head, dtype));
  norm_attention_ = register_module("norm_attention", std::make_shared<nn::ChannelLayerNorm>(d, kLayerNormEps, dtype));
  norm_mlp_ = register_module("norm_mlp", std::make_shared<nn::ChannelLayerNorm>(d, kLayerNormEps, dtype));
  // Official nn.Sequential(Linear, act, Dropout, Linear, Dropout): the linears are mlp.0 and mlp.3.
  auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>("Sequential"));
  mlp_in_ = mlp->register_module("0", std::make_shared<nn::DenseLayer>(d, hypers.dim_feedforward, true, dtype));
  mlp_out_ = mlp->register_module("3", std::make_shared<nn::DenseLayer>(hypers.dim_feedforward, d, true, dtype));
}

at::Tensor TransformerLayer::mlp(const at::Tensor& x) const {
  return nn::fast_linear(*mlp_out_, activate(activation_, nn::fast_linear(*mlp_in_, x)));
}

at::Tensor TransformerLayer::forward(const at::Tensor& tokens, const TokenRows& rows,
                                     const at::Tensor& key_weights) const {
  if (type_ == TransformerType::post_ln) {
    const at::Tensor x = norm_attention_->forward(tokens + attention_->forward(tokens, rows, key_weights));
    return norm_mlp_->forward(x + mlp(x));
  }
  const at::Tensor x = tokens + attention_->forward(norm_attention_->forward(tokens), rows, key_weights);
  return x + mlp(norm_mlp_->forward(x));
}

Transformer::Transformer(const PetHypers& hypers, c10::ScalarType dtype) {
  auto list = register_module("layers", std::make_shared<torch::nn::Module>("ModuleList"));
  for (int64_t j = 0; j < hypers.n_trans_layers; ++j) {
    layers_.push_back(list->register_module(std::to_string(j), std::make_shared<TransformerLayer>(hypers, dtype)));
  }
  if (hypers.transformer_type == TransformerType::pre_ln) {
    final_norm_ = register_module("final_norm", std::make_shared<nn::ChannelLayerNorm>(hypers.d_model, kLayerNormEps, dtype));
  }
}

at::Tensor Transformer::forward(at::Tensor tokens, const TokenRows& rows, const at::Tensor& key_weights) const {
  for (const auto& layer : layers_) tokens = layer->forward(tokens, rows, key_weights);
  return final_norm_ ? final_norm_->forward(tokens) : tokens;
}

}  // namespace eqt::models::pet
