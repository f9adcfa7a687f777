#pragma once
// Equiformer's EdgeDegreeEmbeddingNetwork: a constant node feature (LinearRS of 1x0e ones) sent
// along every edge through a depthwise tensor product with the edge harmonics (weights from a
// radial profile), projected back to irreps_node_embedding and summed into the destination
// nodes / sqrt(avg_degree). Gives every node a geometric embedding before the first block.
// State dict: exp.*, rad.*, proj.* (dw has no parameters: external weights, no bias).
//
// The constant feature is a LinearRS of 1x0e: only its 0e channels can be non-zero, so only dw's
// paths from the 0e input block contribute. When their weights lead the flat weight and their
// outputs lead their irreps (Equiformer's layout), only those paths are computed (scalar_paths_),
// in the IrrepMajor layout whose missing trailing channels proj reads as zeros.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <memory>
#include <vector>

#include "eqt/models/equiformer/edge_inputs.h"
#include "eqt/models/equiformer/layers/linear_rescale.h"
#include "eqt/models/equiformer/layers/radial_mlp.h"
#include "eqt/nn/tensor_product.h"
#include "eqt/models/equiformer/layers/tensor_product_rescale.h"

namespace eqt::models::equiformer {

class EdgeDegreeEmbedding : public torch::nn::Module {
 public:
  // fc_neurons: [num_basis, hidden...]
  EdgeDegreeEmbedding(const so3::Irreps& irreps_node_embedding, const so3::Irreps& irreps_sh,
                      const std::vector<int64_t>& fc_neurons, double avg_degree, c10::ScalarType dtype);

  at::Tensor forward(const EdgeInputs& edges) const;  // -> [N, irreps_node_embedding.dim()]

  std::shared_ptr<LinearRS> exp;
  std::shared_ptr<TensorProductRescale> dw;
  std::shared_ptr<RadialProfile> rad;
  std::shared_ptr<LinearRS> proj;

 private:
  void plan_scalar_paths(const so3::Irreps& irreps_node_embedding, const so3::Irreps& irreps_sh);

  double avg_degree_;
  std::shared_ptr<nn::TensorProduct> scalar_paths_;  // null when the shortcut does not apply
  int64_t scalar_weight_numel_ = 0;
};

}  // namespace eqt::models::equiformer
