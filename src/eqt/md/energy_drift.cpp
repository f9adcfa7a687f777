#include "eqt/md/energy_drift.h"

#include <algorithm>
#include <cmath>

namespace eqt::md {

namespace {
constexpr double kFsPerPs = 1000.0;
}

void EnergyDrift::add(double time_fs, double total_energy_ev) {
  if (count_ == 0) first_energy_ = total_energy_ev;
  max_deviation_ = std::max(max_deviation_, std::abs(total_energy_ev - first_energy_));
  ++count_;
  const double dt = time_fs - mean_time_;
  mean_time_ += dt / static_cast<double>(count_);
  mean_energy_ += (total_energy_ev - mean_energy_) / static_cast<double>(count_);
  // Uses the old mean of t and the new mean of E (co-moment update).
  sum_squared_time_ += dt * (time_fs - mean_time_);
  sum_cross_ += dt * (total_energy_ev - mean_energy_);
}

double EnergyDrift::slope_ev_per_fs() const {
  if (count_ < 2 || !(sum_squared_time_ > 0)) return 0.0;
  return sum_cross_ / sum_squared_time_;
}

double EnergyDrift::ev_per_atom_per_ps(int64_t num_atoms) const {
  return slope_ev_per_fs() * kFsPerPs / static_cast<double>(num_atoms);
}

}  // namespace eqt::md
