#include "eqt/data/cell_list.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "eqt/core/error.h"

namespace eqt::data::detail {
namespace {

using Vec3 = std::array<double, 3>;

// Periodic vectors closer to linear dependence than this (|det| relative to the product of their
// lengths, i.e. the sine of the smallest angle-like measure) are rejected as a singular cell.
constexpr double kSingularTolerance = 1e-8;
// More images than this per atom means the cell is absurdly thin compared with the cutoff.
constexpr double kMaxImagesPerAtom = 1e7;

Vec3 row(const Mat3& m, int r) { return {m[3 * r], m[3 * r + 1], m[3 * r + 2]}; }
void set_row(Mat3& m, int r, const Vec3& v) {
  for (int c = 0; c < 3; ++c) m[3 * r + c] = v[c];
}
double dot(const Vec3& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
Vec3 scaled(const Vec3& a, double s) { return {a[0] * s, a[1] * s, a[2] * s}; }

double determinant(const Mat3& m) { return dot(row(m, 0), cross(row(m, 1), row(m, 2))); }

Mat3 inverse(const Mat3& m) {
  // Columns of the inverse are the reciprocal vectors: cross products of the rows over det.
  const double det = determinant(m);
  const Vec3 b0 = cross(row(m, 1), row(m, 2));
  const Vec3 b1 = cross(row(m, 2), row(m, 0));
  const Vec3 b2 = cross(row(m, 0), row(m, 1));
  Mat3 inv{};
  for (int r = 0; r < 3; ++r) {
    inv[3 * r + 0] = b0[r] / det;
    inv[3 * r + 1] = b1[r] / det;
    inv[3 * r + 2] = b2[r] / det;
  }
  return inv;
}

void require_nonzero(const Vec3& v, int direction) {
  if (!(norm(v) > 0)) {
    fail("cell vector {} is zero but the structure is periodic along it", direction);
  }
}

// A unit vector perpendicular to the unit vector u: the coordinate axis least aligned with u,
// with its u component removed.
Vec3 perpendicular_unit(const Vec3& u) {
  int axis = 0;
  for (int c = 1; c < 3; ++c) {
    if (std::abs(u[c]) < std::abs(u[axis])) axis = c;
  }
  Vec3 e{0, 0, 0};
  e[axis] = 1;
  const Vec3 v = {e[0] - u[0] * u[axis], e[1] - u[1] * u[axis], e[2] - u[2] * u[axis]};
  return scaled(v, 1 / norm(v));
}

// Periodic rows stay; open directions get orthonormal vectors perpendicular to them, so the
// grid along an open direction measures plain distance from the periodic plane or line.
Mat3 complete_basis(const Mat3& cell, std::array<bool, 3> pbc) {
  std::vector<int> periodic, open;
  for (int k = 0; k < 3; ++k) (pbc[k] ? periodic : open).push_back(k);
  Mat3 basis = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  for (int k : periodic) {
    require_nonzero(row(cell, k), k);
    set_row(basis, k, row(cell, k));
  }
  if (periodic.size() == 1) {
    const Vec3 a = row(cell, periodic[0]);
    const Vec3 u = scaled(a, 1 / norm(a));
    const Vec3 v = perpendicular_unit(u);
    set_row(basis, open[0], v);
    set_row(basis, open[1], cross(u, v));
  } else if (periodic.size() == 2) {
    const Vec3 n = cross(row(cell, periodic[0]), row(cell, periodic[1]));
    const double scale = norm(row(cell, periodic[0])) * norm(row(cell, periodic[1]));
    if (!(norm(n) > kSingularTolerance * scale)) {
      fail("cell is singular: periodic cell vectors {} and {} are parallel", periodic[0],
           periodic[1]);
    }
    set_row(basis, open[0], scaled(n, 1 / norm(n)));
  } else if (periodic.size() == 3) {
    const double scale = norm(row(cell, 0)) * norm(row(cell, 1)) * norm(row(cell, 2));
    if (!(std::abs(determinant(cell)) > kSingularTolerance * scale)) {
      fail("cell is singular: its three periodic vectors are linearly dependent (det = {})",
           determinant(cell));
    }
  }
  return basis;
}

// Bins of at least cutoff / kBinsPerCutoff thickness, but at most ~8 per atom: a sparse system in a
// huge box (or a molecule with a far-away atom) must not allocate a huge grid. Coarser bins stay
// correct (reach is derived from the final width), they only cost more candidate pairs.
void choose_bin_counts(BinGrid& grid, const Vec3& length, double cutoff, int64_t num_atoms) {
  const double thickness = cutoff * (1 + kBinSafety) / kBinsPerCutoff;
  for (int k = 0; k < 3; ++k) {
    const double fit = std::floor(std::min(length[k] / thickness, 1e6));
    grid.count[k] = std::max<int64_t>(1, static_cast<int64_t>(fit));
  }
  const int64_t limit = 8 * num_atoms + 64;
  while (grid.num_bins() > limit) {
    const int k = static_cast<int>(std::max_element(grid.count.begin(), grid.count.end()) -
                                   grid.count.begin());
    grid.count[k] = std::max<int64_t>(1, grid.count[k] / 2);
  }
  double images = 1;
  for (int k = 0; k < 3; ++k) {
    const double width = length[k] / static_cast<double>(grid.count[k]);
    const double needed = width > 0 ? std::ceil(cutoff * (1 + kBinSafety) / width) : 0;
    if (grid.periodic[k]) {
      images *= 2 * needed + 1;
      if (images > kMaxImagesPerAtom) {
        fail("cell is too thin for cutoff {}: over {} periodic images per atom", cutoff,
             kMaxImagesPerAtom);
      }
      grid.reach[k] = static_cast<int64_t>(needed);
    } else {
      grid.reach[k] = std::min<int64_t>(static_cast<int64_t>(needed), grid.count[k] - 1);
    }
  }
}

BinGrid make_grid(const std::vector<double>& fractional, const Mat3& inv, std::array<bool, 3> pbc,
                  double cutoff, int64_t num_atoms) {
  BinGrid grid;
  grid.periodic = pbc;
  Vec3 length{};
  for (int k = 0; k < 3; ++k) {
    // Perpendicular height of the cell along k: 1 / |reciprocal vector k| (column k of inv).
    const double height =
        1 / std::sqrt(inv[k] * inv[k] + inv[3 + k] * inv[3 + k] + inv[6 + k] * inv[6 + k]);
    grid.lower[k] = 0;
    grid.span[k] = 1;
    if (!pbc[k]) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (int64_t a = 0; a < num_atoms; ++a) {
        lo = std::min(lo, fractional[3 * a + k]);
        hi = std::max(hi, fractional[3 * a + k]);
      }
      grid.lower[k] = num_atoms > 0 ? lo : 0;
      grid.span[k] = num_atoms > 0 ? hi - lo : 0;
    }
    length[k] = grid.span[k] * height;
  }
  choose_bin_counts(grid, length, cutoff, num_atoms);
  return grid;
}

int64_t bin_coordinate(double f, double lower, double span, int64_t count) {
  if (!(span > 0)) return 0;
  const double b = std::floor((f - lower) / span * static_cast<double>(count));
  // Clamped as a double: atoms near +-1e308 make span infinite and b NaN or huge, and casting
  // such a double to int64 is undefined behaviour. (NaN fails the comparison: bin 0.)
  if (!(b > 0)) return 0;
  return b < static_cast<double>(count - 1) ? static_cast<int64_t>(b) : count - 1;
}

// Image n and bin per atom; wrapped = position - n @ cell along periodic directions.
void wrap_and_bin(CellList& list, const double* positions, const std::vector<double>& fractional,
                  int64_t num_atoms) {
  const BinGrid& grid = list.grid;
  list.wrapped.assign(positions, positions + 3 * num_atoms);
  list.image.assign(3 * num_atoms, 0);
  list.bin_of.assign(3 * num_atoms, 0);
  for (int64_t a = 0; a < num_atoms; ++a) {
    for (int k = 0; k < 3; ++k) {
      double f = fractional[3 * a + k];
      if (grid.periodic[k]) {
        if (!(std::abs(f) < kMaxFractional)) {
          fail("atom {} is {} cells outside the periodic cell: cannot wrap it", a, f);
        }
        const double n = std::floor(f);
        f -= n;
        list.image[3 * a + k] = static_cast<int64_t>(n);
        for (int c = 0; c < 3; ++c) list.wrapped[3 * a + c] -= n * list.cell[3 * k + c];
      }
      list.bin_of[3 * a + k] = bin_coordinate(f, grid.lower[k], grid.span[k], grid.count[k]);
    }
  }
}

// Counting sort of the atoms by bin; stable, so each bin lists its atoms in index order.
void fill_bins(CellList& list, int64_t num_atoms) {
  const BinGrid& grid = list.grid;
  std::vector<int64_t> bin(num_atoms);
  list.bin_start.assign(grid.num_bins() + 1, 0);
  for (int64_t a = 0; a < num_atoms; ++a) {
    bin[a] = grid.linear(list.bin_of[3 * a], list.bin_of[3 * a + 1], list.bin_of[3 * a + 2]);
    ++list.bin_start[bin[a] + 1];
  }
  for (int64_t b = 0; b < grid.num_bins(); ++b) list.bin_start[b + 1] += list.bin_start[b];
  std::vector<int64_t> next(list.bin_start.begin(), list.bin_start.end() - 1);
  list.slot_atom.resize(num_atoms);
  for (auto& coordinate : list.slot_position) coordinate.resize(num_atoms);
  for (int64_t a = 0; a < num_atoms; ++a) {
    const int64_t slot = next[bin[a]]++;
    list.slot_atom[slot] = a;
    for (int c = 0; c < 3; ++c) list.slot_position[c][slot] = list.wrapped[3 * a + c];
  }
}

}  // namespace

FarAtom first_unwrappable_atom(const double* positions, int64_t num_atoms, const Mat3& cell,
                               std::array<bool, 3> pbc) {
  if (!pbc[0] && !pbc[1] && !pbc[2]) return {};
  const Mat3 inv = inverse(complete_basis(cell, pbc));
  for (int64_t a = 0; a < num_atoms; ++a) {
    const double* p = positions + 3 * a;
    for (int k = 0; k < 3; ++k) {
      const double f = p[0] * inv[k] + p[1] * inv[3 + k] + p[2] * inv[6 + k];
      if (pbc[k] && !(std::abs(f) < kMaxFractional)) return {a, f};
    }
  }
  return {};
}

CellList build_cell_list(const double* positions, int64_t num_atoms, const Mat3& cell,
                         std::array<bool, 3> pbc, double cutoff) {
  CellList list;
  for (int k = 0; k < 3; ++k) {
    for (int c = 0; c < 3; ++c) list.cell[3 * k + c] = pbc[k] ? cell[3 * k + c] : 0.0;
  }
  const Mat3 inv = inverse(complete_basis(cell, pbc));
  std::vector<double> fractional(3 * num_atoms);
  for (int64_t a = 0; a < num_atoms; ++a) {
    const double* p = positions + 3 * a;
    for (int k = 0; k < 3; ++k) {
      fractional[3 * a + k] = p[0] * inv[k] + p[1] * inv[3 + k] + p[2] * inv[6 + k];
    }
  }
  list.grid = make_grid(fractional, inv, pbc, cutoff, num_atoms);
  wrap_and_bin(list, positions, fractional, num_atoms);
  fill_bins(list, num_atoms);
  return list;
}

}  // namespace eqt::data::detail
