#include "eqt/check/nve_convergence.h"

#include <fmt/format.h>

#include <algorithm>

#include "eqt/md/energy_drift.h"
#include "eqt/md/maxwell_boltzmann.h"
#include "eqt/md/random.h"
#include "eqt/md/run.h"
#include "eqt/md/velocity_verlet.h"

namespace eqt::check {

namespace {

double max_energy_error(md::ModelForces& forces, md::MdState state, double dt, int64_t steps) {
  md::VelocityVerlet integrator(dt);
  md::EnergyDrift drift;
  md::run_dynamics(state, integrator, forces, steps, [&](const md::MdState& s) {
    drift.add(s.time_fs, s.potential_energy + md::kinetic_energy(s));
  });
  return drift.max_deviation_ev();
}

}  // namespace

CheckResult check_nve_convergence(Probe& probe, const md::MdState& state, const NveConvergenceOptions& o) {
  md::MdState start = deep_copy(state);
  md::GaussianSource random(o.seed);
  md::MaxwellBoltzmannOptions mb;
  mb.temperature_k = o.temperature_k;
  mb.exact_temperature = true;
  md::maxwell_boltzmann_velocities(start, random, mb);
  md::ModelForces& forces = probe.force_field();
  const double coarse = max_energy_error(forces, deep_copy(start), o.dt_fs, o.steps);
  const double fine = max_energy_error(forces, deep_copy(start), o.dt_fs / 2, 2 * o.steps);
  const double ratio = coarse / std::max(fine, 1e-300);
  const double floor = o.floor_ev_per_atom * static_cast<double>(state.num_atoms());
  CheckResult r("nve_convergence", "max|E-E0|(dt) / max|E-E0|(dt/2)", o.min_ratio,
                fmt::format("ratio >= {:g} (velocity Verlet: ~4), or max|E-E0|(dt) <= {:g} eV", o.min_ratio, floor));
  r.value = ratio;
  r.verdict = (ratio >= o.min_ratio || coarse <= floor) ? Verdict::Pass : Verdict::Fail;
  r.detail = fmt::format("{} K, {} fs: max|E-E0| {:.4g} eV at dt {} fs, {:.4g} eV at dt {} fs", o.temperature_k,
                         o.dt_fs * static_cast<double>(o.steps), coarse, o.dt_fs, fine, o.dt_fs / 2);
  r.data = {{"dt_fs", o.dt_fs}, {"steps", o.steps}, {"temperature_k", o.temperature_k},
            {"max_error_dt_ev", coarse}, {"max_error_half_dt_ev", fine}, {"floor_ev", floor}};
  return r;
}

}  // namespace eqt::check
