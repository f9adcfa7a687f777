#pragma once
// PET's output heads. A Head is the official FeedForward (Linear, act, Linear, act, Linear to one
// output) under the official names model.nn.{0,2,4}. The pooling functions turn a GNN layer's
// outputs into atomic energy contributions [N, 1]:
//  - central token:  head(central_token)
//  - no central token: head(sum_k w_k m_k) (divided by sum_k w_k with AVERAGE_POOLING)
//  - bond energies:  sum_k w_k head(m_k) (divided by sum_k w_k with AVERAGE_BOND_ENERGIES)
// where m_k are the outgoing messages and w_k the cutoff multipliers (0 on padding).
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>

#include "eqt/models/pet/hypers.h"
#include "eqt/nn/basic_layers.h"

namespace eqt::models::pet {

class Head : public torch::nn::Module {
 public:
  Head(const PetHypers& hypers, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& x) const;  // [..., D] -> [..., 1]

 private:
  Activation activation_;
  std::shared_ptr<nn::DenseLayer> first_, second_, last_;
};

// messages [N, K, D], key_weights [N, K] (0 on padding) -> pooled [N, D].
at::Tensor pool_messages(const at::Tensor& messages, const at::Tensor& key_weights, bool average);

// Bond energies summed per centre: [N, K, 1] head outputs -> [N, 1].
at::Tensor sum_bond_energies(const at::Tensor& bond_outputs, const at::Tensor& padding,
                             const at::Tensor& key_weights, bool average);

// The same from the outputs of the real bonds only: bond_outputs [E, 1] at flat grid positions
// neighbour_index [E] (row * K + k) of key_weights [N, K].
at::Tensor sum_packed_bond_energies(const at::Tensor& bond_outputs, const at::Tensor& neighbour_index,
                                    const at::Tensor& key_weights, bool average);

}  // namespace eqt::models::pet
