#pragma once
// Periodic wrapping: every atom is moved by whole lattice vectors into the cell (fractional
// coordinates in [0, 1)) along the periodic directions, as ASE's Atoms.wrap(). The translations
// are recorded in state.images, which keeps the unwrapped trajectory and lets a neighbour list
// built before the wrap correct its shift vectors (skin_neighbour_list.h).
#include "eqt/md/state.h"

namespace eqt::md {

void wrap_positions(MdState& state);

// positions + images @ cell.
at::Tensor unwrapped_positions(const MdState& state);

}  // namespace eqt::md
