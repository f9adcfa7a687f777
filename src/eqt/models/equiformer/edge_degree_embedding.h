#pragma once
// Equiformer's EdgeDegreeEmbeddingNetwork: a constant node feature (LinearRS of 1x0e ones) sent
// along every edge through a depthwise tensor product with the edge harmonics (weights from a
// radial profile), projected back to irreps_node_embedding and summed into the destination
// nodes / sqrt(avg_degree). Gives every node a geometric embedding before the first block.
// State dict: exp.*, rad.*, proj.* (dw has no parameters: external weights, no bias).
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "eqt/models/equiformer/edge_inputs.h"
#include "eqt/nn/linear_rescale.h"
#include "eqt/nn/radial_mlp.h"
#include "eqt/nn/tensor_product_rescale.h"

namespace eqt::models::equiformer {

class EdgeDegreeEmbedding : public torch::nn::Module {
 public:
  // fc_neurons: [num_basis, hidden...]
  EdgeDegreeEmbedding(const so3::Irreps& irreps_node_embedding, const so3::Irreps& irreps_sh,
                      const std::vector<int64_t>& fc_neurons, double avg_degree, c10::ScalarType dtype);

  at::Tensor forward(const EdgeInputs& edges) const;  // -> [N, irreps_node_embedding.dim()]

  std::shared_ptr<nn::LinearRS> exp;
  std::shared_ptr<nn::TensorProductRescale> dw;
  std::shared_ptr<nn::RadialProfile> rad;
  std::shared_ptr<nn::LinearRS> proj;

 private:
  double avg_degree_;
};

}  // namespace eqt::models::equiformer
