#include "eqt/md/energy_jumps.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "eqt/core/error.h"

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
      "not shrink with a smaller --dt): the model's energy is likely discontinuous, e.g. at its cutoff, or "
      "nearly so, e.g. an Equiformer's norms where an atom's site is (nearly) centrosymmetric. "
      "`eqt check --model ... --input ...` tests the cutoff; docs/md.md explains both and what to do.",
      largest_second_, largest_second_ / std::max(typical_step_change_ev(), 1e-300), typical_step_change_ev(),
      largest_, largest_step_);
}

}  // namespace eqt::md

namespace eqt::md {

std::vector<double> EnergyJumps::save() const {
  std::vector<double> v = {static_cast<double>(count_), last_, last_change_, largest_, largest_second_,
                           static_cast<double>(largest_step_)};
  for (const int64_t n : histogram_) v.push_back(static_cast<double>(n));
  return v;
}

void EnergyJumps::restore(const std::vector<double>& v) {
  if (v.size() != 6 + histogram_.size()) {
    fail("energy jump state: expected {} numbers, found {}", 6 + histogram_.size(), v.size());
  }
  count_ = static_cast<int64_t>(v[0]);
  last_ = v[1];
  last_change_ = v[2];
  largest_ = v[3];
  largest_second_ = v[4];
  largest_step_ = static_cast<int64_t>(v[5]);
  for (std::size_t k = 0; k < histogram_.size(); ++k) histogram_[k] = static_cast<int64_t>(v[6 + k]);
}

}  // namespace eqt::md
