#pragma once
// A neighbour list kept between MD steps (Verlet list). It is built with radius cutoff + skin and
// rebuilt only when some atom has moved more than skin / 2 since the last build (then no pair
// can have come from beyond cutoff + skin to within cutoff). In between, each step filters the
// cached pairs down to those within the model's cutoff at the current positions. Atoms wrapped
// back into the cell since the build (state.images) keep their pairs: each shift vector S of a
// pair (i, j) is corrected by the lattice translations applied to i and j, so that
// positions[j] - positions[i] + S @ cell is the same physical vector.
// The result equals a fresh data::neighbour_list(positions, cutoff) up to the order of the pairs.
#include <cstdint>

#include "eqt/data/neighbour_list.h"
#include "eqt/md/state.h"

namespace eqt::md {

class SkinNeighbourList {
 public:
  // Fails (eqt::Error) for a non-positive cutoff or a negative skin.
  SkinNeighbourList(double cutoff, double skin);

  // Pairs within the cutoff at the state's positions.
  data::NeighbourList update(const MdState& state);
  int64_t builds() const { return builds_; }
  // The next update() rebuilds. At an MD restart point, so that the run continued from the
  // restart file (which starts with a fresh list) sees the same pairs in the same order.
  void invalidate() { stale_ = true; }
  // A continued run counts the builds of the run before it (restart file).
  void set_builds(int64_t builds) { builds_ = builds; }
  double cutoff() const { return cutoff_; }
  double skin() const { return skin_; }

 private:
  bool needs_rebuild(const MdState& state) const;
  void rebuild(const MdState& state);

  double cutoff_, skin_;
  int64_t builds_ = 0;
  bool stale_ = true;
  data::NeighbourList cached_;     // radius cutoff + skin, at the last build
  at::Tensor reference_unwrapped_; // [N, 3] unwrapped positions at the last build
  at::Tensor reference_images_;    // [N, 3] state.images at the last build
  at::Tensor reference_cell_;
  std::array<bool, 3> reference_pbc_{false, false, false};
};

}  // namespace eqt::md
