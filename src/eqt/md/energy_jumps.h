#pragma once
// Tells integration error from a discontinuous potential in an NVE run. Velocity Verlet's energy
// error changes smoothly from step to step; a potential whose energy jumps (e.g. when a neighbour
// crosses a hard cutoff) shows single steps whose change of the total energy is far above the
// typical step's. Online: a running sum and the largest step, no history (flat memory).
#include <cstdint>
#include <string>

namespace eqt::md {

class EnergyJumps {
 public:
  void add(int64_t step, double total_energy_ev);
  // Largest |E(k) - E(k-1)| and the step k where it happened.
  double largest_step_change_ev() const { return largest_; }
  int64_t largest_at_step() const { return largest_step_; }
  // Mean |E(k) - E(k-1)| over the other steps (0 with fewer than two steps).
  double typical_step_change_ev() const;
  // True when the largest step change is `ratio` times the typical one and above `floor_ev`.
  bool looks_discontinuous(double ratio = 20.0, double floor_ev = 1e-5) const;
  // The summary's warning line, empty when the run looks like plain integration error.
  std::string warning() const;

 private:
  int64_t count_ = 0;  // energies seen
  double last_ = 0, sum_ = 0, largest_ = 0;
  int64_t largest_step_ = 0;
};

}  // namespace eqt::md
