#include "eqt/check/model_check.h"

namespace eqt::check {

ModelCheckOptions for_float32(ModelCheckOptions o) {
  // float32 rounds energies of ~100 eV at ~1e-5 eV: jumps and symmetry errors below that are noise.
  o.cutoff.h = 1e-3;
  o.cutoff.energy_threshold = 1e-3;
  o.cutoff.force_threshold = 1e-2;
  o.finite_difference.h = 1e-2;
  o.finite_difference.threshold = 1e-2;
  o.symmetry.energy_threshold = 1e-5;
  o.symmetry.force_threshold = 1e-3;
  o.nve.floor_ev_per_atom = 1e-4;
  return o;
}

std::vector<CheckResult> run_model_checks(Probe& probe, const md::MdState& state, const ModelCheckOptions& o) {
  std::vector<CheckResult> results;
  const auto [energy_jump, force_jump] = check_cutoff_crossing(probe, state, o.cutoff);
  results.push_back(energy_jump);
  results.push_back(force_jump);
  const EnergyForces start = probe.at(state);
  results.push_back(check_finite_difference_forces(probe, state, start, o.finite_difference));
  for (auto& r : check_symmetries(probe, state, start, o.symmetry)) results.push_back(std::move(r));
  if (o.run_nve) results.push_back(check_nve_convergence(probe, state, o.nve));
  return results;
}

}  // namespace eqt::check
