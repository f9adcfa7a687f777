#include "eqt/md/energy_jumps.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace eqt::md {

void EnergyJumps::add(int64_t step, double total_energy_ev) {
  if (count_ > 0) {
    const double change = std::abs(total_energy_ev - last_);
    sum_ += change;
    if (change > largest_) {
      largest_ = change;
      largest_step_ = step;
    }
  }
  last_ = total_energy_ev;
  ++count_;
}

double EnergyJumps::typical_step_change_ev() const {
  const int64_t changes = count_ - 1;
  if (changes < 2) return 0.0;
  return (sum_ - largest_) / static_cast<double>(changes - 1);
}

bool EnergyJumps::looks_discontinuous(double ratio, double floor_ev) const {
  if (count_ < 3 || largest_ <= floor_ev) return false;
  return largest_ > ratio * typical_step_change_ev();
}

std::string EnergyJumps::warning() const {
  if (!looks_discontinuous()) return {};
  return fmt::format(
      "warning: the total energy changed by {:.4g} eV in step {}, {:.0f}x its typical change per step ({:.3g} eV). "
      "That is not integration error (it would not shrink with a smaller --dt): the model's energy is likely "
      "discontinuous, e.g. at its cutoff. `eqt check --model ... --input ...` tests it; Equiformer models "
      "conserve energy with smooth_cutoff (docs/md.md).",
      largest_, largest_step_, largest_ / std::max(typical_step_change_ev(), 1e-300), typical_step_change_ev());
}

}  // namespace eqt::md
