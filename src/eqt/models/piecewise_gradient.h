#pragma once
// Models whose energy is a sum of parts that can be differentiated one at a time (ECSE: one part
// per chunk of frames) implement this interface, so that inference (forces / stress without
// create_graph) never holds the autograd graph of all parts at once: each part is
// backpropagated and freed before the next is built. models::evaluate (potential.h) uses it
// whenever the model offers it and no graph of the derivatives is asked for.
#include <ATen/ATen.h>

#include <string>

#include "eqt/data/graph.h"
#include "eqt/models/model.h"

namespace eqt::models {

struct PiecewiseGradients {
  Outputs outputs;          // what forward(graph) returns, detached
  at::Tensor positions;     // d(sum of outputs[energy_key]) / d(graph.positions)   [N, 3]
  at::Tensor cell;          // d(sum of outputs[energy_key]) / d(graph.cell)        [B, 3, 3]
};

class PiecewiseDifferentiable {
 public:
  virtual ~PiecewiseDifferentiable() = default;
  // graph.positions / graph.cell are treated as the independent variables (whatever they are
  // computed from); the caller chains the gradients further.
  virtual PiecewiseGradients forward_with_gradients(const data::Graph& graph, const std::string& energy_key) = 0;
};

}  // namespace eqt::models
