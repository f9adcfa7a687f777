#pragma once
// Equiformer one message-passing step at a time (models/message_passing.h), for LAMMPS's
// `mode exchange`. Step 0 is the atom embedding plus the edge-degree embedding (a sum over edges:
// the first message pass); step k is block k - 1; atomic_energies is the output norm, the head and
// the energy normalisation, exactly as EquiformerModel::forward computes them. Only a per-atom
// (layer) norm allows it: EquiformerModel::message_passing_shape says so.
#include <ATen/ATen.h>

#include "eqt/data/graph.h"
#include "eqt/models/equiformer/edge_inputs.h"
#include "eqt/models/message_passing.h"

namespace eqt::models::equiformer {

class EquiformerModel;

class EquiformerSteps : public MessagePassing {
 public:
  // The model must outlive this object; edge_vectors [E, 3] replace graph.edge_vectors().
  EquiformerSteps(EquiformerModel& model, const data::Graph& graph, const at::Tensor& edge_vectors);

  int64_t num_steps() const override;
  at::Tensor step(int64_t k, const at::Tensor& features) override;
  at::Tensor atomic_energies(const at::Tensor& features) override;

 private:
  EquiformerModel& model_;
  data::Graph graph_;
  EdgeInputs edges_;  // spherical harmonics, radial basis and cutoff weights, shared by every step
};

}  // namespace eqt::models::equiformer
