#include "eqt/md/energy_jumps.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace eqt::md {

void EnergyJumps::add(int64_t step, double total_energy_ev) {
  if (count_ > 0) {
    const double signed_change = total_energy_ev - last_;
    if (count_ > 1) largest_second_ = std::max(largest_second_, std::abs(signed_change - last_change_));
    last_change_ = signed_change;
    const double change = std::abs(signed_change);
    const double position = (std::log10(std::max(change, 1e-300)) - kLowestDecade) * kBinsPerDecade;
    const int bin = static_cast<int>(std::clamp(position, 0.0, static_cast<double>(histogram_.size() - 1)));
    ++histogram_[static_cast<std::size_t>(bin)];
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
  int64_t seen = 0;
  for (std::size_t bin = 0; bin < histogram_.size(); ++bin) {
    seen += histogram_[bin];
    if (2 * seen >= changes) {  // the bin holding the median: its geometric centre
      return std::pow(10.0, kLowestDecade + (static_cast<double>(bin) + 0.5) / kBinsPerDecade);
    }
  }
  return largest_;
}

bool EnergyJumps::looks_discontinuous(double ratio, double floor_ev) const {
  if (count_ < 4 || largest_ <= floor_ev) return false;
  return largest_second_ > ratio * typical_step_change_ev();
}

std::string EnergyJumps::warning() const {
  if (!looks_discontinuous()) return {};
  return fmt::format(
      "warning: the total energy changed abruptly: its change per step jumped by {:.4g} eV, {:.0f}x the median "
      "change per step ({:.3g} eV; largest change {:.4g} eV in step {}). That is not integration error (it would "
      "not shrink with a smaller --dt): the model's energy is likely discontinuous, e.g. at its cutoff. "
      "`eqt check --model ... --input ...` tests it; Equiformer models conserve energy with smooth_cutoff "
      "(docs/md.md).",
      largest_second_, largest_second_ / std::max(typical_step_change_ev(), 1e-300), typical_step_change_ev(),
      largest_, largest_step_);
}

}  // namespace eqt::md
