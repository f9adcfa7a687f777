#pragma once
// Tells integration error from a discontinuous potential in an NVE run. Velocity Verlet's energy
// error changes smoothly from step to step; a potential whose energy jumps (e.g. when a neighbour
// crosses a hard cutoff) shows steps whose change of the total energy differs abruptly from the
// previous step's change. The test: the largest |dE(k) - dE(k-1)| (second difference) against the
// median |dE| per step. Smooth dynamics that resolves its motion keeps the second difference below
// the typical step change (main job: 1.2x); a jump makes it the jump itself (published Equiformer
// on the same run: 8.8x, and far more where jumps are rare). The median comes from a histogram of
// log10 |dE| in bins of 0.1 decade: flat memory, no history.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace eqt::md {

class EnergyJumps {
 public:
  void add(int64_t step, double total_energy_ev);
  // Largest |E(k) - E(k-1)| and the step k where it happened.
  double largest_step_change_ev() const { return largest_; }
  int64_t largest_at_step() const { return largest_step_; }
  // Median |E(k) - E(k-1)| to within a bin (26 %); 0 with fewer than two steps.
  double typical_step_change_ev() const;
  // Largest |dE(k) - dE(k-1)|.
  double largest_second_difference_ev() const { return largest_second_; }
  // True when the largest second difference is `ratio` times the typical step change and the
  // largest step change is above `floor_ev`.
  bool looks_discontinuous(double ratio = 4.0, double floor_ev = 1e-5) const;
  // The summary's warning line, empty when the run looks like plain integration error.
  std::string warning() const;
  // The accumulators, exactly (counts below 2^53 are exact doubles), for MD restart files;
  // restore fails (eqt::Error) on a wrong length.
  std::vector<double> save() const;
  void restore(const std::vector<double>& values);

 private:
  static constexpr int kBinsPerDecade = 10, kLowestDecade = -16, kDecades = 20;
  int64_t count_ = 0;  // energies seen
  double last_ = 0, last_change_ = 0, largest_ = 0, largest_second_ = 0;
  std::array<int64_t, kBinsPerDecade * kDecades> histogram_{};  // changes below 1e-16 eV go to bin 0
  int64_t largest_step_ = 0;
};

}  // namespace eqt::md
