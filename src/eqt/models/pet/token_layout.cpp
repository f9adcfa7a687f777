#include "eqt/models/pet/token_layout.h"

#include <cmath>
#include <vector>

#include "eqt/core/error.h"

namespace eqt::models::pet {
namespace {

// Position of every edge in its centre's row: edges sorted by centre (stably, so a row keeps the
// graph's neighbour order), slot = rank within the centre's run.
at::Tensor slots_by_centre(const at::Tensor& centres, const at::Tensor& counts) {
  const int64_t num_edges = centres.size(0);
  const at::Tensor order = std::get<1>(at::sort(centres, c10::optional<bool>(true), /*dim=*/0));
  const at::Tensor row_starts = counts.cumsum(0) - counts;
  const at::Tensor ranks = at::arange(num_edges, centres.options());
  const at::Tensor sorted_slots = ranks - row_starts.index_select(0, centres.index_select(0, order));
  return at::empty_like(centres).index_copy_(0, order, sorted_slots);
}

// One int64 key per (i, j, S) that is unique per edge; key of the reverse edge from the same
// formula with i, j swapped and S negated.
struct EdgeKeys {
  at::Tensor forward, reverse;
};

EdgeKeys edge_keys(const at::Tensor& centres, const at::Tensor& neighbours,
                   const at::Tensor& cell_shifts, int64_t num_atoms) {
  const at::Tensor shifts = at::round(cell_shifts).to(at::kLong);
  const int64_t largest = shifts.numel() ? shifts.abs().max().item<int64_t>() : 0;
  const int64_t base = 2 * largest + 1;
  const double span = std::pow(static_cast<double>(num_atoms), 2) * std::pow(base, 3);
  if (span >= 4.0e18) fail("PET token layout: {} atoms with cell shifts up to {} overflow edge keys", num_atoms, largest);
  const auto shift_code = [&](const at::Tensor& s) {
    const at::Tensor t = s + largest;
    return (t.select(1, 0) * base + t.select(1, 1)) * base + t.select(1, 2);
  };
  const int64_t cube = base * base * base;
  return {(centres * num_atoms + neighbours) * cube + shift_code(shifts),
          (neighbours * num_atoms + centres) * cube + shift_code(-shifts)};
}

// For every edge, the index of its reverse edge.
at::Tensor reverse_edges(const at::Tensor& centres, const at::Tensor& neighbours,
                         const at::Tensor& cell_shifts, int64_t num_atoms) {
  const EdgeKeys keys = edge_keys(centres, neighbours, cell_shifts, num_atoms);
  const auto sorted = at::sort(keys.forward, c10::optional<bool>(false), /*dim=*/0);
  const at::Tensor& sorted_keys = std::get<0>(sorted);
  const int64_t num_edges = sorted_keys.size(0);
  if (num_edges > 1 && (sorted_keys.slice(0, 1) == sorted_keys.slice(0, 0, -1)).any().item<bool>()) {
    fail("PET token layout: the graph lists an edge (i, j, S) twice");
  }
  const at::Tensor found =
      at::searchsorted(sorted_keys, keys.reverse).clamp_max(std::max<int64_t>(num_edges - 1, 0));
  const at::Tensor missing = sorted_keys.index_select(0, found) != keys.reverse;
  if (missing.any().item<bool>()) {
    const int64_t e = missing.nonzero()[0][0].item<int64_t>();
    fail("PET token layout: edge {} (i={}, j={}) has no reverse edge (j, i, -S); PET needs "
         "symmetric neighbour lists",
         e, centres[e].item<int64_t>(), neighbours[e].item<int64_t>());
  }
  return std::get<1>(sorted).index_select(0, found);
}

// Rows, slots and padding of the first num_centres atoms (every edge's centre is one of them).
TokenLayout centre_rows(const at::Tensor& edge_index, int64_t num_centres) {
  const at::Tensor centres = edge_index[0].contiguous();
  const at::Tensor counts = at::bincount(centres, {}, num_centres);
  TokenLayout layout;
  layout.num_atoms = num_centres;
  layout.max_neighbours = counts.numel() && centres.numel() ? counts.max().item<int64_t>() : 0;
  const int64_t k = layout.max_neighbours;
  layout.token_of_edge = centres * k + slots_by_centre(centres, counts);
  const at::Tensor slot_range = at::arange(k, centres.options());
  layout.padding = slot_range.unsqueeze(0) >= counts.unsqueeze(1);
  return layout;
}

}  // namespace

TokenLayout build_centre_token_layout(const at::Tensor& edge_index, int64_t num_centres) {
  if (edge_index.size(1) && edge_index[0].max().item<int64_t>() >= num_centres) {
    fail("PET token layout: an edge's centre is not among the first {} atoms", num_centres);
  }
  return centre_rows(edge_index, num_centres);
}

TokenLayout build_token_layout(const at::Tensor& edge_index, const at::Tensor& cell_shifts,
                               int64_t num_atoms) {
  TokenLayout layout = centre_rows(edge_index, num_atoms);
  const int64_t k = layout.max_neighbours;
  const at::Tensor reverse = reverse_edges(edge_index[0].contiguous(), edge_index[1].contiguous(), cell_shifts, num_atoms);
  layout.reverse_token = at::arange(num_atoms * k, edge_index.options())
                             .index_copy_(0, layout.token_of_edge, layout.token_of_edge.index_select(0, reverse));
  return layout;
}

at::Tensor TokenLayout::to_tokens(const at::Tensor& edge_values, double fill) const {
  std::vector<int64_t> flat_shape = edge_values.sizes().vec();
  flat_shape[0] = num_atoms * max_neighbours;
  const at::Tensor flat = at::full(flat_shape, fill, edge_values.options());
  std::vector<int64_t> shape = {num_atoms, max_neighbours};
  shape.insert(shape.end(), flat_shape.begin() + 1, flat_shape.end());
  return flat.index_copy(0, token_of_edge, edge_values).view(shape);
}

at::Tensor TokenLayout::from_reverse_edges(const at::Tensor& tokens) const {
  if (max_neighbours == 0 || num_atoms == 0) return tokens;
  const at::Tensor flat = tokens.reshape({num_atoms * max_neighbours, -1});
  return flat.index_select(0, reverse_token).view(tokens.sizes());
}

at::Tensor TokenLayout::neighbour_slots() const {
  const at::Tensor slots = reverse_token.remainder(std::max<int64_t>(max_neighbours, 1));
  return slots.view({num_atoms, max_neighbours}).masked_fill(padding, 0);
}

}  // namespace eqt::models::pet
