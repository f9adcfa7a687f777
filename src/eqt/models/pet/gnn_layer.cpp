#include "eqt/models/pet/gnn_layer.h"

#include "eqt/models/pet/token_rows.h"
#include "eqt/kernels/fast_linear.h"

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
          key_weights.index_select(0, index), message_table};
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
  at::Tensor merged;
  if (hypers_.r_embedding_activation) {
    at::Tensor geometry = activate(hypers_.activation, r_embedding_->forward(geometric_input(inputs.vectors)));
    std::vector<at::Tensor> parts = {geometry};
    if (neighbor_embedder_) parts.push_back(neighbor_embedder_->forward(inputs.neighbour_species));
    parts.push_back(inputs.messages);
    merged = compress_in_->forward(at::cat(parts, -1));
  } else {
    merged = merged_compress_input(inputs);
  }
  if (compress_out_) merged = compress_out_->forward(activate(hypers_.activation, merged));
  return merged;
}

// compress_in(cat[r_embedding(g), (embed(s)), m]) with nothing between the two linears, written
// as g @ (C_g R)^T + m @ C_m^T + (C_g b_R + b_C) (+ (E C_s^T)[s]): the [M, D] geometry features
// and half of compress_in's product are never formed. Species-only parts (the neighbour species
// embedding, and the first layer's messages, which are an embedding of the neighbour species)
// become rows of a per-species table, added by index.
at::Tensor GnnLayer::merged_compress_input(const LayerInputs& inputs) const {
  const int64_t d = hypers_.d_model;
  const at::Tensor& c = compress_in_->weight;  // [D, n_merge * D]: geometry, (species), messages
  const at::Tensor c_geometry = c.narrow(1, 0, d);
  const at::Tensor c_messages = c.narrow(1, c.size(1) - d, d);
  const at::Tensor geometry_weight = at::mm(c_geometry, r_embedding_->weight);  // [D, input dim]
  at::Tensor bias = at::mv(c_geometry, r_embedding_->bias) + compress_in_->bias;
  at::Tensor species_rows;  // [n_species + 1, D] or undefined
  if (neighbor_embedder_) species_rows = at::mm(neighbor_embedder_->weight, c.narrow(1, d, d).t());
  if (inputs.message_table.defined()) {
    const at::Tensor message_rows = at::mm(inputs.message_table, c_messages.t());
    species_rows = species_rows.defined() ? species_rows + message_rows : message_rows;
  }
  const at::Tensor g = geometric_input(inputs.vectors);
  if (!species_rows.defined()) {
    return kernels::fast_linear(at::cat({g, inputs.messages}, -1), at::cat({geometry_weight, c_messages}, 1), bias);
  }
  const at::Tensor per_token = at::embedding(species_rows + bias, inputs.neighbour_species);
  if (inputs.message_table.defined()) return per_token + kernels::fast_linear(g, geometry_weight, at::Tensor());
  return per_token + kernels::fast_linear(at::cat({g, inputs.messages}, -1), at::cat({geometry_weight, c_messages}, 1),
                                     at::Tensor());
}

// Tokens are packed (token_rows.h): the compress MLP and the transformer's per-token work skip
// the padding of the [N, K] neighbour grid; the messages go back to the grid (zeros on padding,
// which PET masks everywhere) for the reverse-edge exchange.
LayerOutputs GnnLayer::forward(const LayerInputs& inputs) const {
  const int64_t n = inputs.vectors.size(0), k = inputs.vectors.size(1), d = hypers_.d_model;
  // A batch without any neighbour and without central tokens has nothing to attend over.
  if (k == 0 && !central_embedder_) return {inputs.messages, at::Tensor(), at::Tensor(), at::Tensor()};
  const PackedLayout packed = pack_tokens(inputs.neighbour_species == n_species_, static_cast<bool>(central_embedder_));
  const at::Tensor& index = packed.neighbour_index;
  LayerInputs real;
  real.vectors = inputs.vectors.reshape({n * k, 3}).index_select(0, index);
  real.neighbour_species = inputs.neighbour_species.reshape({-1}).index_select(0, index);
  real.messages = inputs.messages.reshape({n * k, d}).index_select(0, index);
  real.message_table = inputs.message_table;
  at::Tensor tokens = neighbour_tokens(real);
  at::Tensor weights = inputs.key_weights;
  if (central_embedder_) {
    tokens = at::cat({central_embedder_->forward(inputs.central_species), tokens}, 0);
    // The central token is always attended to with weight 1.
    weights = at::cat({at::ones({n, 1}, weights.options()), weights}, 1);
  }
  const at::Tensor mixed = trans_->forward(tokens, packed.tokens, weights);
  const int64_t first = central_embedder_ ? n : 0;
  const at::Tensor packed_messages = mixed.narrow(0, first, index.size(0));
  const at::Tensor messages = at::zeros({n * k, d}, mixed.options()).index_copy(0, index, packed_messages).view({n, k, d});
  return {messages, central_embedder_ ? mixed.narrow(0, 0, n) : at::Tensor(), packed_messages, index};
}

}  // namespace eqt::models::pet
