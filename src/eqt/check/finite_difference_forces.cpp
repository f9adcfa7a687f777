#include "eqt/check/finite_difference_forces.h"

#include <fmt/format.h>

#include <cmath>

namespace eqt::check {

CheckResult check_finite_difference_forces(Probe& probe, const md::MdState& state, const EnergyForces& at_start,
                                           const FiniteDifferenceOptions& options) {
  CheckResult result("finite_difference_forces", "eV/A", options.threshold, "max |F - F_fd| <= threshold");
  const int64_t components = 3 * state.num_atoms();
  const int64_t tested = std::min(components, options.max_components);
  std::string worst = "-";
  for (int64_t k = 0; k < tested; ++k) {
    const int64_t c = k * components / tested;
    const int64_t atom = c / 3, axis = c % 3;
    auto displaced = [&](double delta) {
      md::MdState moved = state;
      moved.positions = state.positions.clone();
      moved.positions[atom][axis] += delta;
      return probe.at(moved).energy;
    };
    const double numeric = -(displaced(options.h) - displaced(-options.h)) / (2 * options.h);
    const double analytic = at_start.forces[atom][axis].item<double>();
    const double error = std::abs(numeric - analytic);
    if (!(error <= result.value)) {
      result.value = error;
      worst = fmt::format("atom {} {}: autograd {:.8g}, finite difference {:.8g}", atom, "xyz"[axis], analytic, numeric);
    }
  }
  result.verdict = at_most(result.value, result.threshold);
  result.detail = fmt::format("{} of {} components, h = {} A; largest at {}", tested, components, options.h, worst);
  result.data = {{"components_tested", tested}, {"h", options.h}};
  return result;
}

}  // namespace eqt::check
