#include "eqt/models/pet/gnn_layer.h"

#include <vector>

namespace eqt::models::pet {
namespace {
// The official token input uses |x| = sqrt(|x|^2 + 1e-15): finite gradient on zero padding.
constexpr double kLengthEps = 1e-15;

template <typename Layer>
std::shared_ptr<Layer> child(torch::nn::Module& parent, const std::string& name, std::shared_ptr<Layer> layer) {
  return parent.register_module(name, std::move(layer));
}
}  // namespace

LayerInputs LayerInputs::rows(const at::Tensor& index) const {
  return {vectors.index_select(0, index), central_species.index_select(0, index),
          neighbour_species.index_select(0, index), messages.index_select(0, index),
          key_weights.index_select(0, index)};
}

GnnLayer::GnnLayer(const PetHypers& hypers, int64_t gnn_layer, int64_t n_species, c10::ScalarType dtype)
    : hypers_(hypers) {
  const int64_t d = hypers.d_model;
  trans_ = register_module("trans", std::make_shared<Transformer>(hypers, dtype));
  auto embedding = std::make_shared<nn::DenseLayer>(hypers.token_input_dim(), d, true, dtype);
  if (hypers.r_embedding_activation) {  // official nn.Sequential(Linear, act)
    auto sequential = register_module("r_embedding", std::make_shared<torch::nn::Module>("Sequential"));
    r_embedding_ = child(*sequential, "0", embedding);
  } else {
    r_embedding_ = register_module("r_embedding", embedding);
  }
  const int64_t merged = hypers.compress_input_dim(gnn_layer);
  if (hypers.compress_mode == CompressMode::mlp) {  // nn.Sequential(Linear, act, Linear)
    auto sequential = register_module("compress", std::make_shared<torch::nn::Module>("Sequential"));
    compress_in_ = child(*sequential, "0", std::make_shared<nn::DenseLayer>(merged, d, true, dtype));
    compress_out_ = child(*sequential, "2", std::make_shared<nn::DenseLayer>(d, d, true, dtype));
  } else {
    compress_in_ = register_module("compress", std::make_shared<nn::DenseLayer>(merged, d, true, dtype));
  }
  if (hypers.blend_neighbor_species && gnn_layer > 0) {
    neighbor_embedder_ = register_module("neighbor_embedder", std::make_shared<SpeciesEmbedding>(n_species + 1, d, dtype));
  }
  if (hypers.adds_central_token(gnn_layer)) {
    central_embedder_ = register_module("central_embedder", std::make_shared<SpeciesEmbedding>(n_species + 1, d, dtype));
  }
}

at::Tensor GnnLayer::geometric_input(const at::Tensor& vectors) const {
  if (!hypers_.use_length && !hypers_.use_only_length) return vectors;
  const at::Tensor length = at::sqrt(vectors.square().sum(-1, /*keepdim=*/true) + kLengthEps);
  return hypers_.use_only_length ? length : at::cat({vectors, length}, -1);
}

at::Tensor GnnLayer::neighbour_tokens(const LayerInputs& inputs) const {
  at::Tensor geometry = r_embedding_->forward(geometric_input(inputs.vectors));
  if (hypers_.r_embedding_activation) geometry = activate(hypers_.activation, geometry);
  std::vector<at::Tensor> parts = {geometry};
  if (neighbor_embedder_) parts.push_back(neighbor_embedder_->forward(inputs.neighbour_species));
  parts.push_back(inputs.messages);
  at::Tensor tokens = compress_in_->forward(at::cat(parts, -1));
  if (compress_out_) tokens = compress_out_->forward(activate(hypers_.activation, tokens));
  return tokens;
}

LayerOutputs GnnLayer::forward(const LayerInputs& inputs) const {
  const at::Tensor tokens = neighbour_tokens(inputs);
  if (!central_embedder_) {
    // A batch without any neighbour has no tokens to attend over.
    if (tokens.size(1) == 0) return {tokens, at::Tensor()};
    return {trans_->forward(tokens, inputs.key_weights), at::Tensor()};
  }
  const at::Tensor central = central_embedder_->forward(inputs.central_species).unsqueeze(1);
  // The central token is always attended to with weight 1.
  const at::Tensor weights = at::cat({at::ones({tokens.size(0), 1}, inputs.key_weights.options()), inputs.key_weights}, 1);
  const at::Tensor mixed = trans_->forward(at::cat({central, tokens}, 1), weights);
  return {mixed.narrow(1, 1, mixed.size(1) - 1), mixed.select(1, 0)};
}

}  // namespace eqt::models::pet
