#include "eqt/check/probe.h"

namespace eqt::check {

Probe::Probe(std::shared_ptr<models::Model> model, c10::ScalarType dtype)
    : model_(model), dtype_(dtype), forces_(std::move(model), dtype, /*skin=*/0.0) {}

EnergyForces Probe::at(const md::MdState& state) {
  md::MdState copy = state;
  forces_.compute(copy);
  return {copy.potential_energy, copy.forces};
}

md::MdState deep_copy(const md::MdState& state) {
  md::MdState copy = state;
  for (at::Tensor* t : {&copy.numbers, &copy.masses, &copy.positions, &copy.velocities, &copy.cell, &copy.images,
                        &copy.forces}) {
    if (t->defined()) *t = t->clone();
  }
  return copy;
}

md::MdState with_atom_at(const md::MdState& state, int64_t atom, const at::Tensor& position) {
  md::MdState moved = deep_copy(state);
  moved.positions[atom].copy_(position);
  return moved;
}

}  // namespace eqt::check
