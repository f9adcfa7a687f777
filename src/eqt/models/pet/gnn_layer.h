#pragma once
// One PET message-passing layer (the official CartesianTransformer): every neighbour token is
// compress([embed(r_ij (, |r_ij|)), (embed(species_j)), message_ij]); a central token
// embed(species_i) is optionally prepended; the cutoff-weighted transformer mixes a centre's
// tokens. Its outputs are the new messages (one per neighbour) and the central token.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/species_embedding.h"
#include "eqt/models/pet/transformer.h"
#include "eqt/nn/basic_layers.h"

namespace eqt::models::pet {

// Everything a layer reads, one row per centre atom.
struct LayerInputs {
  at::Tensor vectors;            // [N, K, 3] r_j - r_i + S cell, zeros on padding
  at::Tensor central_species;    // int64 [N], species index
  at::Tensor neighbour_species;  // int64 [N, K], species index, n_species on padding
  at::Tensor messages;           // [N, K, D] incoming messages
  at::Tensor key_weights;        // [N, K] cutoff multipliers, 0 on padding
  // Defined when messages[i, k] = message_table[neighbour_species[i, k]] (the first layer's
  // species embedding): the layer then works from the table's rows.
  at::Tensor message_table;      // [n_species + 1, D]

  LayerInputs rows(const at::Tensor& index) const;  // the centres listed in index
};

struct LayerOutputs {
  at::Tensor messages;       // [N, K, D]
  at::Tensor central_token;  // [N, D]; undefined when the layer has no central token
  // The same messages of the real neighbours only, [E, D], and their flat index row * K + k in
  // the [N, K] grid; undefined where a layer did not produce them (central-specific layers).
  at::Tensor packed_messages, neighbour_index;
};

class GnnLayer : public torch::nn::Module {
 public:
  GnnLayer(const PetHypers& hypers, int64_t gnn_layer, int64_t n_species, c10::ScalarType dtype);
  LayerOutputs forward(const LayerInputs& inputs) const;

 private:
  at::Tensor neighbour_tokens(const LayerInputs& inputs) const;
  at::Tensor merged_compress_input(const LayerInputs& inputs) const;
  at::Tensor geometric_input(const at::Tensor& vectors) const;

  PetHypers hypers_;
  int64_t n_species_;  // also the species index of padding
  std::shared_ptr<Transformer> trans_;
  std::shared_ptr<nn::DenseLayer> r_embedding_;
  std::shared_ptr<nn::DenseLayer> compress_in_, compress_out_;  // compress_out_ only for "mlp"
  std::shared_ptr<SpeciesEmbedding> neighbor_embedder_;         // BLEND_NEIGHBOR_SPECIES, layer > 0
  std::shared_ptr<SpeciesEmbedding> central_embedder_;          // with a central token
};

}  // namespace eqt::models::pet
