#pragma once
// Equiformer's NodeEmbeddingNetwork: one-hot of the embedding index (max_atom_type classes)
// through LinearRS(max_atom_type x 0e -> irreps_node_embedding). Only 0e outputs are reachable.
// State dict: atom_type_lin.tp.weight, atom_type_lin.bias.0.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/equiformer/layers/linear_rescale.h"

namespace eqt::models::equiformer {

class NodeEmbedding : public torch::nn::Module {
 public:
  NodeEmbedding(const so3::Irreps& irreps_node_embedding, int64_t max_atom_type, c10::ScalarType dtype);

  // type_index int64 [N] in [0, max_atom_type) -> [N, irreps_node_embedding.dim()] in `dtype`.
  at::Tensor forward(const at::Tensor& type_index, c10::ScalarType dtype) const;

  std::shared_ptr<LinearRS> atom_type_lin;

 private:
  int64_t max_atom_type_;
};

}  // namespace eqt::models::equiformer
