#include "eqt/data/neighbour_list.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/data/cell_list.h"

namespace eqt::data {
namespace {

using detail::CellList;
using detail::Mat3;

// Centres are processed in fixed blocks (independent of the thread count) whose results are
// concatenated in block order: the output is the same for any number of threads.
constexpr int64_t kBlockAtoms = 512;

struct Neighbour {
  int64_t j;
  std::array<int64_t, 3> shift;
  bool operator<(const Neighbour& o) const { return std::tie(j, shift) < std::tie(o.j, o.shift); }
};

struct EdgeBlock {
  std::vector<int64_t> per_centre;  // edges of each centre of the block
  std::vector<Neighbour> neighbours;
};

struct SearchContext {
  const CellList& list;
  const double* positions;  // the caller's, unwrapped
  double cutoff;
  double prefilter_sq;  // squared cutoff with a rounding margin, for the wrapped-position scan
};

// The final test, on the caller's positions exactly as ASE evaluates it
// (positions[j] - positions[i] + S @ cell, strict <), so boundary pairs agree with ASE.
bool within_cutoff(const SearchContext& ctx, int64_t i, int64_t j,
                   const std::array<int64_t, 3>& s) {
  const double* pi = ctx.positions + 3 * i;
  const double* pj = ctx.positions + 3 * j;
  const Mat3& cell = ctx.list.cell;
  double sq = 0;
  for (int c = 0; c < 3; ++c) {
    const double shift = static_cast<double>(s[0]) * cell[c] +
                         static_cast<double>(s[1]) * cell[3 + c] +
                         static_cast<double>(s[2]) * cell[6 + c];
    const double d = (pj[c] - pi[c]) + shift;
    sq += d * d;
  }
  return std::sqrt(sq) < ctx.cutoff;
}

// Scans slots [begin, end) (consecutive bins of one row), seen through lattice translation
// `translation` (in cells). A branch-free first pass collects the slots within the cutoff
// (plus margin): most candidates fail, and a data-dependent branch there mispredicts a lot.
void scan_slots(const SearchContext& ctx, int64_t i, int64_t begin, int64_t end,
                const std::array<int64_t, 3>& translation, std::vector<int64_t>& hits,
                std::vector<Neighbour>& out) {
  const CellList& list = ctx.list;
  const Mat3& cell = list.cell;
  double origin[3];  // centre i moved by -translation: then d = slot position - origin
  for (int c = 0; c < 3; ++c) {
    origin[c] = list.wrapped[3 * i + c] - static_cast<double>(translation[0]) * cell[c] -
                static_cast<double>(translation[1]) * cell[3 + c] -
                static_cast<double>(translation[2]) * cell[6 + c];
  }
  if (static_cast<int64_t>(hits.size()) < end - begin) hits.resize(end - begin);
  const double* xs = list.slot_position[0].data();
  const double* ys = list.slot_position[1].data();
  const double* zs = list.slot_position[2].data();
  int64_t count = 0;
  for (int64_t slot = begin; slot < end; ++slot) {
    const double dx = xs[slot] - origin[0], dy = ys[slot] - origin[1], dz = zs[slot] - origin[2];
    hits[count] = slot;
    count += (dx * dx + dy * dy + dz * dz < ctx.prefilter_sq);
  }
  for (int64_t h = 0; h < count; ++h) {
    const int64_t j = list.slot_atom[hits[h]];
    // Wrapped positions differ from the caller's by images: S = T + n_i - n_j.
    std::array<int64_t, 3> s;
    for (int k = 0; k < 3; ++k) {
      s[k] = translation[k] + list.image[3 * i + k] - list.image[3 * j + k];
    }
    if (j == i && s[0] == 0 && s[1] == 0 && s[2] == 0) continue;
    if (within_cutoff(ctx, i, j, s)) out.push_back({j, s});
  }
}

// Bin coordinate range searched along one direction: periodic ranges may leave [0, count) and
// then stand for images (several of them where the cell is thinner than the cutoff).
std::pair<int64_t, int64_t> search_range(const detail::BinGrid& grid, int k, int64_t own) {
  if (grid.periodic[k]) return {own - grid.reach[k], own + grid.reach[k]};
  return {std::max<int64_t>(0, own - grid.reach[k]),
          std::min<int64_t>(grid.count[k] - 1, own + grid.reach[k])};
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

void search_centre(const SearchContext& ctx, int64_t i, std::vector<int64_t>& hits,
                   std::vector<Neighbour>& out) {
  const detail::BinGrid& grid = ctx.list.grid;
  const std::vector<int64_t>& bin_start = ctx.list.bin_start;
  const int64_t* own = ctx.list.bin_of.data() + 3 * i;
  const auto [x0, x1] = search_range(grid, 0, own[0]);
  const auto [y0, y1] = search_range(grid, 1, own[1]);
  const auto [z0, z1] = search_range(grid, 2, own[2]);
  for (int64_t z = z0; z <= z1; ++z) {
    const int64_t tz = floor_div(z, grid.count[2]);
    for (int64_t y = y0; y <= y1; ++y) {
      const int64_t ty = floor_div(y, grid.count[1]);
      const int64_t row = grid.linear(0, y - ty * grid.count[1], z - tz * grid.count[2]);
      // Bins of a row with the same image along x are consecutive slots: one scan for them.
      for (int64_t x = x0; x <= x1;) {
        const int64_t tx = floor_div(x, grid.count[0]);
        const int64_t last = std::min(x1, (tx + 1) * grid.count[0] - 1);
        scan_slots(ctx, i, bin_start[row + x - tx * grid.count[0]],
                   bin_start[row + last - tx * grid.count[0] + 1], {tx, ty, tz}, hits, out);
        x = last + 1;
      }
    }
  }
}

// Appends `found` to `out` in (j, S) order. Sorts 8-byte keys (j, position in `found`) rather
// than the 32-byte records; equal j (several images of one atom) are then ordered by S.
void append_sorted(const std::vector<Neighbour>& found, std::vector<uint64_t>& keys,
                   std::vector<Neighbour>& out) {
  constexpr int kIndexBits = 24;
  constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
  const bool packable = found.size() <= kIndexMask &&
                        std::all_of(found.begin(), found.end(), [](const Neighbour& n) {
                          return static_cast<uint64_t>(n.j) < (uint64_t{1} << (64 - kIndexBits));
                        });
  if (!packable) {  // astronomically many atoms or neighbours: plain sort
    const std::size_t start = out.size();
    out.insert(out.end(), found.begin(), found.end());
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
    return;
  }
  keys.resize(found.size());
  for (std::size_t k = 0; k < found.size(); ++k) {
    keys[k] = (static_cast<uint64_t>(found[k].j) << kIndexBits) | k;
  }
  std::sort(keys.begin(), keys.end());
  const auto by_shift = [&](uint64_t a, uint64_t b) {
    return found[a & kIndexMask].shift < found[b & kIndexMask].shift;
  };
  for (std::size_t run = 0; run < keys.size();) {
    std::size_t end = run + 1;
    while (end < keys.size() && (keys[end] >> kIndexBits) == (keys[run] >> kIndexBits)) ++end;
    if (end - run > 1) std::sort(keys.begin() + run, keys.begin() + end, by_shift);
    run = end;
  }
  for (const uint64_t key : keys) out.push_back(found[key & kIndexMask]);
}

void search_block(const SearchContext& ctx, int64_t first, int64_t last, EdgeBlock& block) {
  std::vector<Neighbour> found;
  std::vector<int64_t> hits;
  std::vector<uint64_t> keys;
  block.per_centre.reserve(last - first);
  for (int64_t i = first; i < last; ++i) {
    found.clear();
    search_centre(ctx, i, hits, found);
    // Reserve for the whole block once the first centres show how many neighbours to expect.
    if (i == first + 8) block.neighbours.reserve(block.neighbours.size() * (last - first) * 5 / 32);
    block.per_centre.push_back(static_cast<int64_t>(found.size()));
    append_sorted(found, keys, block.neighbours);
  }
}

NeighbourList assemble(const std::vector<EdgeBlock>& blocks) {
  std::vector<int64_t> block_offset(blocks.size() + 1, 0);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    block_offset[b + 1] = block_offset[b] + static_cast<int64_t>(blocks[b].neighbours.size());
  }
  const int64_t num_edges = block_offset.back();
  NeighbourList nl;
  nl.centres = at::empty({num_edges}, at::kLong);
  nl.neighbours = at::empty({num_edges}, at::kLong);
  nl.shifts = at::empty({num_edges, 3}, at::kLong);
  int64_t* centres = nl.centres.data_ptr<int64_t>();
  int64_t* neighbours = nl.neighbours.data_ptr<int64_t>();
  int64_t* shifts = nl.shifts.data_ptr<int64_t>();
  at::parallel_for(0, static_cast<int64_t>(blocks.size()), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      int64_t e = block_offset[b];
      int64_t centre = b * kBlockAtoms;
      for (const int64_t count : blocks[b].per_centre) {
        std::fill(centres + e, centres + e + count, centre++);
        e += count;
      }
      e = block_offset[b];
      for (const Neighbour& n : blocks[b].neighbours) {
        neighbours[e] = n.j;
        std::copy(n.shift.begin(), n.shift.end(), shifts + 3 * e);
        ++e;
      }
    }
  });
  return nl;
}

void validate(const double* positions, int64_t num_atoms, const double* cell, double cutoff) {
  if (!(cutoff > 0) || !std::isfinite(cutoff)) {
    fail("cutoff must be a positive number, got {}", cutoff);
  }
  for (int64_t a = 0; a < num_atoms; ++a) {
    const double* p = positions + 3 * a;
    if (!std::isfinite(p[0]) || !std::isfinite(p[1]) || !std::isfinite(p[2])) {
      fail("position of atom {} is not finite ({}, {}, {})", a, p[0], p[1], p[2]);
    }
  }
  for (int c = 0; c < 9; ++c) {
    if (!std::isfinite(cell[c])) fail("cell entry [{}][{}] is not finite", c / 3, c % 3);
  }
}

std::string shape_text(const at::Tensor& t) {
  std::string text = "[";
  for (int64_t d = 0; d < t.dim(); ++d) text += (d ? ", " : "") + std::to_string(t.size(d));
  return text + "]";
}

}  // namespace

NeighbourList neighbour_list(const double* positions, int64_t num_atoms, const double* cell,
                             std::array<bool, 3> pbc, double cutoff) {
  validate(positions, num_atoms, cell, cutoff);
  Mat3 cell3;
  std::copy(cell, cell + 9, cell3.begin());
  const CellList list = detail::build_cell_list(positions, num_atoms, cell3, pbc, cutoff);
  const double margin = cutoff * (1 + detail::kBinSafety);
  const SearchContext ctx{list, positions, cutoff, margin * margin};
  std::vector<EdgeBlock> blocks((num_atoms + kBlockAtoms - 1) / kBlockAtoms);
  at::parallel_for(0, static_cast<int64_t>(blocks.size()), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      search_block(ctx, b * kBlockAtoms, std::min(num_atoms, (b + 1) * kBlockAtoms), blocks[b]);
    }
  });
  return assemble(blocks);
}

NeighbourList neighbour_list(const at::Tensor& positions, const at::Tensor& cell,
                             std::array<bool, 3> pbc, double cutoff) {
  if (positions.dim() != 2 || positions.size(1) != 3) {
    fail("positions must have shape [N, 3], got {}", shape_text(positions));
  }
  const at::Tensor pos = positions.detach().to(at::kCPU, at::kDouble).contiguous();
  at::Tensor cell3 = at::zeros({3, 3}, at::kDouble);
  if (cell.defined() && cell.numel() > 0) {
    if (cell.numel() != 9) fail("cell must have shape [3, 3], got {}", shape_text(cell));
    cell3 = cell.detach().to(at::kCPU, at::kDouble).reshape({3, 3}).contiguous();
  }
  return neighbour_list(pos.data_ptr<double>(), pos.size(0), cell3.data_ptr<double>(), pbc, cutoff);
}

NeighbourList neighbour_list(const Structure& structure, double cutoff) {
  return neighbour_list(structure.positions, structure.cell, structure.pbc, cutoff);
}

}  // namespace eqt::data
