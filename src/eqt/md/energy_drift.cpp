#include "eqt/md/energy_drift.h"

#include <algorithm>
#include <cmath>

#include "eqt/core/error.h"

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

namespace eqt::md {

std::vector<double> EnergyDrift::save() const {
  return {static_cast<double>(count_), mean_time_, mean_energy_, sum_squared_time_, sum_cross_, first_energy_,
          max_deviation_};
}

void EnergyDrift::restore(const std::vector<double>& v) {
  if (v.size() != 7) fail("energy drift state: expected 7 numbers, found {}", v.size());
  count_ = static_cast<int64_t>(v[0]);
  mean_time_ = v[1];
  mean_energy_ = v[2];
  sum_squared_time_ = v[3];
  sum_cross_ = v[4];
  first_energy_ = v[5];
  max_deviation_ = v[6];
}

}  // namespace eqt::md
