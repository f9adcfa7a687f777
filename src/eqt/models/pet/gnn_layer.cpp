#include "eqt/models/pet/gnn_layer.h"

#include "eqt/models/pet/token_rows.h"

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
    : hypers_(hypers), n_species_(n_species) {
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

// Tokens are packed (token_rows.h): the compress MLP and the transformer's per-token work skip
// the padding of the [N, K] neighbour grid; the messages go back to the grid (zeros on padding,
// which PET masks everywhere) for the reverse-edge exchange.
LayerOutputs GnnLayer::forward(const LayerInputs& inputs) const {
  const int64_t n = inputs.vectors.size(0), k = inputs.vectors.size(1), d = hypers_.d_model;
  // A batch without any neighbour and without central tokens has nothing to attend over.
  if (k == 0 && !central_embedder_) return {inputs.messages, at::Tensor()};
  const PackedLayout packed = pack_tokens(inputs.neighbour_species == n_species_, static_cast<bool>(central_embedder_));
  const at::Tensor& index = packed.neighbour_index;
  LayerInputs real;
  real.vectors = inputs.vectors.reshape({n * k, 3}).index_select(0, index);
  real.neighbour_species = inputs.neighbour_species.reshape({-1}).index_select(0, index);
  real.messages = inputs.messages.reshape({n * k, d}).index_select(0, index);
  at::Tensor tokens = neighbour_tokens(real);
  at::Tensor weights = inputs.key_weights;
  if (central_embedder_) {
    tokens = at::cat({central_embedder_->forward(inputs.central_species), tokens}, 0);
    // The central token is always attended to with weight 1.
    weights = at::cat({at::ones({n, 1}, weights.options()), weights}, 1);
  }
  const at::Tensor mixed = trans_->forward(tokens, packed.tokens, weights);
  const int64_t first = central_embedder_ ? n : 0;
  const at::Tensor messages = at::zeros({n * k, d}, mixed.options())
                                  .index_copy(0, index, mixed.narrow(0, first, index.size(0)))
                                  .view({n, k, d});
  return {messages, central_embedder_ ? mixed.narrow(0, 0, n) : at::Tensor()};
}

}  // namespace eqt::models::pet
