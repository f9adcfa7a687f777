#include "eqt/models/pet/transformer.h"

#include <string>

#include "eqt/models/pet/attention_core.h"
#include "eqt/kernels/fast_linear.h"
#include "eqt/kernels/fast_silu.h"

namespace eqt::models::pet {
namespace {
// Same constants as torch.nn.LayerNorm's default and the official renormalisation.
constexpr double kLayerNormEps = 1e-5;
}  // namespace

at::Tensor activate(Activation activation, const at::Tensor& x) {
  return activation == Activation::silu ? kernels::fast_silu(x) : at::mish(x);
}

CutoffAttention::CutoffAttention(int64_t d_model, int64_t n_head, c10::ScalarType dtype)
    : n_head_(n_head) {
  input_linear_ = register_module("input_linear", std::make_shared<nn::DenseLayer>(d_model, 3 * d_model, true, dtype));
  output_linear_ = register_module("output_linear", std::make_shared<nn::DenseLayer>(d_model, d_model, true, dtype));
}

// The training step differentiates the forces again, which the fused core would only hand back
// to the composite one (attention_core.h); energies and forces use the fused kernels.
at::Tensor CutoffAttention::forward(const at::Tensor& tokens, const TokenRows& rows, const at::Tensor& key_weights) const {
  const at::Tensor qkv = input_linear_->forward(tokens);
  const at::Tensor mixed = is_training() ? attention_core_composite(qkv, rows, key_weights, n_head_)
                                         : attention_core_fused(qkv, rows, key_weights, n_head_);
  return output_linear_->forward(mixed);
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
  return mlp_out_->forward(activate(activation_, mlp_in_->forward(x)));
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
