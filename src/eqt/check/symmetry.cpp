#include "eqt/check/symmetry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "eqt/so3/rotation.h"

namespace eqt::check {

namespace {

struct Transformed {
  md::MdState state;
  // Maps the forces at the start onto what the transformed structure's forces must be.
  std::function<at::Tensor(const at::Tensor&)> expected_forces;
};

Transformed rotated(const md::MdState& s, const at::Tensor& rotation) {
  md::MdState out = s;
  out.positions = at::matmul(s.positions, rotation.t());
  if (s.cell.defined()) out.cell = at::matmul(s.cell, rotation.t());
  return {out, [rotation](const at::Tensor& f) { return at::matmul(f, rotation.t()); }};
}

Transformed inverted(const md::MdState& s) {
  md::MdState out = s;
  out.positions = -s.positions;
  return {out, [](const at::Tensor& f) { return -f; }};
}

Transformed permuted(const md::MdState& s, const at::Tensor& order) {
  md::MdState out = s;
  out.numbers = s.numbers.index_select(0, order);
  out.masses = s.masses.index_select(0, order);
  out.positions = s.positions.index_select(0, order);
  if (s.velocities.defined()) out.velocities = s.velocities.index_select(0, order);
  if (s.images.defined()) out.images = s.images.index_select(0, order);
  return {out, [order](const at::Tensor& f) { return f.index_select(0, order); }};
}

Transformed translated(const md::MdState& s, const at::Tensor& shift) {
  md::MdState out = s;
  out.positions = s.positions + shift;
  return {out, [](const at::Tensor& f) { return f; }};
}

struct Errors {
  double energy_per_atom = 0, force = 0;
};

Errors errors(Probe& probe, const Transformed& t, const EnergyForces& start) {
  const EnergyForces moved = probe.at(t.state);
  const double n = static_cast<double>(t.state.num_atoms());
  return {std::abs(moved.energy - start.energy) / n,
          (moved.forces - t.expected_forces(start.forces)).abs().max().item<double>()};
}

CheckResult verdict_of(const std::string& name, const std::vector<Errors>& trials, bool guaranteed,
                       const SymmetryOptions& o, const std::string& what) {
  Errors worst;
  for (const Errors& e : trials) {
    worst.energy_per_atom = std::max(worst.energy_per_atom, e.energy_per_atom);
    worst.force = std::max(worst.force, e.force);
  }
  CheckResult r(name, "eV/atom (energy), eV/A (forces)", o.energy_threshold,
                fmt::format("|dE|/N <= {:g} eV and max |dF| <= {:g} eV/A", o.energy_threshold, o.force_threshold));
  r.value = worst.energy_per_atom;
  r.data = {{"energy_error_per_atom", worst.energy_per_atom}, {"force_error", worst.force},
            {"force_threshold", o.force_threshold}, {"trials", trials.size()}, {"guaranteed", guaranteed}};
  const bool ok = worst.energy_per_atom <= o.energy_threshold && worst.force <= o.force_threshold;
  r.detail = fmt::format("{}: energy {:.3g} eV/atom, forces {:.3g} eV/A", what, worst.energy_per_atom, worst.force);
  if (!guaranteed) {
    r.verdict = Verdict::Info;
    r.detail += " (the architecture does not guarantee this symmetry exactly)";
  } else {
    r.verdict = ok ? Verdict::Pass : Verdict::Fail;
  }
  return r;
}

}  // namespace

std::vector<CheckResult> check_symmetries(Probe& probe, const md::MdState& state, const EnergyForces& at_start,
                                          const SymmetryOptions& options) {
  const models::ExactSymmetries exact = probe.model()->exact_symmetries();
  at::Generator generator = so3::make_cpu_generator(options.seed);
  std::vector<Errors> rotations;
  for (int k = 0; k < options.rotations; ++k) {
    const at::Tensor r = so3::random_rotation({}, options.seed + static_cast<uint64_t>(k), at::kDouble);
    rotations.push_back(errors(probe, rotated(state, r), at_start));
  }
  const at::Tensor order = at::randperm(state.num_atoms(), generator, at::kLong);
  const at::Tensor shift = (at::rand({3}, generator, at::kDouble) - 0.5) * 10.0;
  return {
      verdict_of("rotation", rotations, exact.rotations, options,
                 fmt::format("{} random rotations", options.rotations)),
      verdict_of("inversion", {errors(probe, inverted(state), at_start)}, exact.inversion, options, "r -> -r"),
      verdict_of("permutation", {errors(probe, permuted(state, order), at_start)}, true, options,
                 "a random order of the atoms"),
      verdict_of("translation", {errors(probe, translated(state, shift), at_start)}, true, options,
                 "a random shift of up to 5 A"),
  };
}

}  // namespace eqt::check
