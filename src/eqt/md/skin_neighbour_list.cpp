#include "eqt/md/skin_neighbour_list.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/md/wrap.h"

namespace eqt::md {

SkinNeighbourList::SkinNeighbourList(double cutoff, double skin) : cutoff_(cutoff), skin_(skin) {
  if (!(cutoff > 0) || !std::isfinite(cutoff)) fail("neighbour-list cutoff must be > 0, not {}", cutoff);
  if (!(skin >= 0) || !std::isfinite(skin)) fail("neighbour-list skin must be >= 0 Angstrom, not {}", skin);
}

bool SkinNeighbourList::needs_rebuild(const MdState& state) const {
  if (stale_ || skin_ == 0) return true;
  if (reference_unwrapped_.size(0) != state.num_atoms() || reference_pbc_ != state.pbc ||
      !at::equal(reference_cell_, state.cell)) {
    return true;
  }
  const at::Tensor displacement = unwrapped_positions(state) - reference_unwrapped_;
  const double largest_squared = (displacement * displacement).sum(1).max().item<double>();
  return largest_squared > 0.25 * skin_ * skin_;
}

void SkinNeighbourList::rebuild(const MdState& state) {
  cached_ = data::neighbour_list(state.positions, state.cell, state.pbc, cutoff_ + skin_);
  reference_unwrapped_ = unwrapped_positions(state);
  reference_images_ = state.images.clone();
  reference_cell_ = state.cell.clone();
  reference_pbc_ = state.pbc;
  ++builds_;
  stale_ = false;
}

data::NeighbourList SkinNeighbourList::update(const MdState& state) {
  if (needs_rebuild(state)) rebuild(state);
  // Lattice translations applied to each atom by wrapping since the build.
  const at::Tensor wrapped = state.images - reference_images_;
  const at::Tensor shifts = cached_.shifts + wrapped.index_select(0, cached_.neighbours) -
                            wrapped.index_select(0, cached_.centres);
  const at::Tensor vectors = state.positions.index_select(0, cached_.neighbours) -
                             state.positions.index_select(0, cached_.centres) +
                             at::matmul(shifts.to(at::kDouble), state.cell);
  // Strictly inside, as data::neighbour_list.
  const at::Tensor keep = ((vectors * vectors).sum(1) < cutoff_ * cutoff_).nonzero().squeeze(1);
  data::NeighbourList list;
  list.centres = cached_.centres.index_select(0, keep);
  list.neighbours = cached_.neighbours.index_select(0, keep);
  list.shifts = shifts.index_select(0, keep);
  return list;
}

}  // namespace eqt::md
