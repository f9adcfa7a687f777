#pragma once
// Energy and forces of a model at arbitrary positions of one structure, with a neighbour list
// built afresh for each evaluation (the checks move atoms by arbitrary amounts).
#include <ATen/ATen.h>

#include <memory>

#include "eqt/md/model_forces.h"
#include "eqt/md/state.h"

namespace eqt::check {

struct EnergyForces {
  double energy = 0;  // eV
  at::Tensor forces;  // float64 [N, 3], eV/A
};

class Probe {
 public:
  Probe(std::shared_ptr<models::Model> model, c10::ScalarType dtype);
  EnergyForces at(const md::MdState& state);
  int64_t evaluations() const { return forces_.evaluations(); }
  // The force field behind the probe, for checks that integrate (their evaluations count too).
  md::ModelForces& force_field() { return forces_; }
  const std::shared_ptr<models::Model>& model() const { return model_; }
  c10::ScalarType dtype() const { return dtype_; }

 private:
  std::shared_ptr<models::Model> model_;
  c10::ScalarType dtype_;
  md::ModelForces forces_;
};

// A copy whose tensors are not shared with `state` (integrators update tensors in place).
md::MdState deep_copy(const md::MdState& state);

// The state with atom `atom` moved to `position` (float64 [3]).
md::MdState with_atom_at(const md::MdState& state, int64_t atom, const at::Tensor& position);

}  // namespace eqt::check
