#pragma once
// NVE energy drift: the slope of a least-squares straight line through the total energy against
// time, accumulated online (Welford-style updates: no stored history, no cancellation for long
// runs), reported in eV/atom/ps, the usual figure of merit for MD stability.
#include <cstdint>
#include <vector>

namespace eqt::md {

class EnergyDrift {
 public:
  void add(double time_fs, double total_energy_ev);
  int64_t samples() const { return count_; }
  // eV/fs; 0 with fewer than two distinct times.
  double slope_ev_per_fs() const;
  double ev_per_atom_per_ps(int64_t num_atoms) const;
  // Largest |E(t) - E(first sample)|, eV.
  double max_deviation_ev() const { return max_deviation_; }
  // The accumulators, exactly, for MD restart files; restore fails (eqt::Error) on a wrong length.
  std::vector<double> save() const;
  void restore(const std::vector<double>& values);

 private:
  int64_t count_ = 0;
  double mean_time_ = 0, mean_energy_ = 0;
  double sum_squared_time_ = 0, sum_cross_ = 0;  // sums of (t - mean)^2 and (t - mean)(E - mean)
  double first_energy_ = 0, max_deviation_ = 0;
};

}  // namespace eqt::md
