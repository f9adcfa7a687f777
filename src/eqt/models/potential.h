#pragma once
// Forces and stress of any Model from its energy by automatic differentiation, so every model is
// conservative by construction:
//   forces = -dE/dpositions                                  [N, 3]
//   stress = (1/V) dE/d(strain), strain symmetric, applied as r -> r (I + e), cell -> cell (I + e)
//            (ASE's convention: positive under tension; eV/A^3)   [B, 3, 3]
// create_graph keeps the graph of the derivatives so that force / stress losses can be trained;
// if graph.positions already requires grad, forces stay differentiable with respect to it.
// Without create_graph, a model that implements PiecewiseDifferentiable (piecewise_gradient.h,
// e.g. ECSE) differentiates itself in parts, each part's graph freed before the next: same
// result, memory of one part.
#include <ATen/ATen.h>

#include <string>

#include "eqt/models/model.h"

namespace eqt::models {

struct EvaluateOptions {
  bool forces = true;
  bool stress = false;
  bool create_graph = false;
  std::string energy_key = "energy";  // the output differentiated (e.g. "energy_raw")
};

struct Evaluation {
  at::Tensor energy;  // [B]
  at::Tensor forces;  // [N, 3]; undefined unless requested
  at::Tensor stress;  // [B, 3, 3]; undefined unless requested; zeros for structures of zero volume
  Outputs outputs;    // everything the model returned
};

// The device of the model's parameters (CPU for a model without any).
c10::Device model_device(const Model& model);

Evaluation evaluate(Model& model, const data::Graph& graph, const EvaluateOptions& options = {});

// For inference (predict, eval, md, ASE, LAMMPS): eval mode (no dropout), and no parameter
// gradients, since forces and stress differentiate positions and strain only.
void prepare_for_inference(Model& model);

}  // namespace eqt::models
