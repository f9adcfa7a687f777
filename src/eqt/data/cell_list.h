#pragma once
// Spatial bins for the neighbour search (an implementation detail of neighbour_list.cpp).
// Bins live in fractional coordinates of a basis whose rows are the periodic lattice vectors,
// completed by unit vectors perpendicular to them for the open directions (so a molecule gets a
// Cartesian bounding-box grid). Every bin is at least `cutoff` thick, measured perpendicular to
// its faces, so that the atoms within `cutoff` of an atom lie in the bins within `reach` of its
// own (reach > 1 only where a cell is thinner than the cutoff: then several images are searched).
#include <array>
#include <cstdint>
#include <vector>

namespace eqt::data::detail {

using Mat3 = std::array<double, 9>;  // row-major; rows are vectors

// Relative enlargement of the cutoff in the bin geometry, so that rounding in fractional
// coordinates can never hide a pair that is (just) within the cutoff.
constexpr double kBinSafety = 1e-9;
// Bins are cutoff / kBinsPerCutoff thick: thinner bins mean fewer candidate pairs
// ((2 + 1/k)^3 cutoff^3 of volume instead of 27 cutoff^3) but more, shorter bin scans and a
// bigger grid. On the 100k-atom water benchmark k = 2 and 3 cost 5-15% more CPU time than 1:
// the distance scan is not what dominates (sorting, memory for the output does).
constexpr int kBinsPerCutoff = 1;

struct BinGrid {
  std::array<bool, 3> periodic{};
  std::array<int64_t, 3> count{};  // bins per direction
  std::array<int64_t, 3> reach{};  // neighbouring bins searched on either side
  std::array<double, 3> lower{};   // fractional coordinate where bin 0 starts (open directions)
  std::array<double, 3> span{};    // fractional width covered by the bins (1 where periodic)

  int64_t num_bins() const { return count[0] * count[1] * count[2]; }
  int64_t linear(int64_t x, int64_t y, int64_t z) const {
    return x + count[0] * (y + count[1] * z);
  }
};

struct CellList {
  BinGrid grid;
  Mat3 cell{};  // the caller's cell, rows of open directions zeroed (they are never used as shifts)
  std::vector<int64_t> bin_start;  // [bins + 1]: slots of bin b are bin_start[b] .. bin_start[b+1]
  std::vector<int64_t> slot_atom;  // [N] atom in each slot; atoms of a bin in index order
  std::array<std::vector<double>, 3> slot_position;  // x, y, z [N]: wrapped, per slot (bin scans)
  std::vector<double> wrapped;  // [3N] per atom: position moved into the cell (periodic dirs)
  std::vector<int64_t> image;   // [3N] per atom: n with position = wrapped + n @ cell
  std::vector<int64_t> bin_of;  // [3N] per atom: its bin coordinates
};

// An atom farther outside the periodic cell than this many cells cannot be wrapped into it
// precisely enough for the search margin (kBinSafety): build_cell_list refuses it.
constexpr double kMaxFractional = 1e6;

struct FarAtom {
  int64_t atom = -1;      // -1: none
  double cells = 0.0;     // its fractional coordinate along the offending periodic direction
};

// The first atom beyond kMaxFractional cells along a periodic direction, without binning anything
// (for readers that can then name the file and line). Fails like build_cell_list on a
// degenerate periodic cell.
FarAtom first_unwrappable_atom(const double* positions, int64_t num_atoms, const Mat3& cell,
                               std::array<bool, 3> pbc);

// positions[3 * num_atoms], cell[9] rows = lattice vectors. Validates the cell (fails with
// eqt::Error where the periodic vectors are degenerate) and bins every atom.
CellList build_cell_list(const double* positions, int64_t num_atoms, const Mat3& cell,
                         std::array<bool, 3> pbc, double cutoff);

}  // namespace eqt::data::detail
