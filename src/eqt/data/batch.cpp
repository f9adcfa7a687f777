#include "eqt/data/batch.h"

#include <ATen/Parallel.h>

#include <algorithm>

#include "eqt/core/error.h"

namespace eqt::data {
namespace {

void require_floating(c10::ScalarType dtype) {
  if (dtype != c10::kFloat && dtype != c10::kDouble) {
    fail("graph dtype must be float32 or float64, got {}", c10::toString(dtype));
  }
}

// The Graph convention: zeros for a structure periodic in no direction, even where its file gave
// a cell (it is then only a box for viewers, and must not enter e.g. a volume).
at::Tensor structure_cell(const Structure& s) {
  if (!s.periodic() || !s.cell.defined()) return at::zeros({3, 3}, at::kDouble);
  return s.cell.to(at::kDouble).reshape({3, 3});
}

// OC20 tags when every structure has an integer "tags" array (extxyz column), else undefined.
at::Tensor collate_tags(const std::vector<const Structure*>& structures) {
  std::vector<at::Tensor> tags;
  for (const Structure* s : structures) {
    const auto it = s->arrays.find("tags");
    if (it == s->arrays.end()) return at::Tensor();
    if (at::isFloatingType(it->second.scalar_type()) && !at::equal(it->second, it->second.round())) {
      fail("per-atom \"tags\" must be integers");
    }
    tags.push_back(it->second.to(at::kLong).reshape({-1}));
  }
  return tags.empty() ? at::Tensor() : at::cat(tags);
}

// Per-atom fields, cells and ptr; edges are added by collate_edges.
Graph collate_atoms(const std::vector<const Structure*>& structures, c10::ScalarType dtype) {
  const int64_t count = static_cast<int64_t>(structures.size());
  std::vector<at::Tensor> species, positions, cells, batch;
  at::Tensor pbc = at::zeros({count, 3}, at::kBool);
  at::Tensor ptr = at::zeros({count + 1}, at::kLong);
  auto pbc_a = pbc.accessor<bool, 2>();
  auto ptr_a = ptr.accessor<int64_t, 1>();
  for (int64_t b = 0; b < count; ++b) {
    const Structure& s = *structures[b];
    species.push_back(s.numbers.to(at::kLong));
    positions.push_back(s.positions.to(at::kDouble));
    cells.push_back(structure_cell(s));
    batch.push_back(at::full({s.num_atoms()}, b, at::kLong));
    for (int k = 0; k < 3; ++k) pbc_a[b][k] = s.pbc[k];
    ptr_a[b + 1] = ptr_a[b] + s.num_atoms();
  }
  Graph g;
  g.species = count ? at::cat(species) : at::zeros({0}, at::kLong);
  g.positions = (count ? at::cat(positions) : at::zeros({0, 3}, at::kDouble)).to(dtype);
  g.cell = (count ? at::stack(cells) : at::zeros({0, 3, 3}, at::kDouble)).to(dtype);
  g.pbc = pbc;
  g.batch = count ? at::cat(batch) : at::zeros({0}, at::kLong);
  g.ptr = ptr;
  g.tags = collate_tags(structures);
  return g;
}

void collate_edges(Graph& g, const std::vector<NeighbourList>& lists, c10::ScalarType dtype) {
  std::vector<at::Tensor> centres, neighbours, shifts, edge_batch;
  const auto ptr = g.ptr.accessor<int64_t, 1>();
  for (std::size_t b = 0; b < lists.size(); ++b) {
    const NeighbourList& nl = lists[b];
    centres.push_back(nl.centres + ptr[b]);
    neighbours.push_back(nl.neighbours + ptr[b]);
    shifts.push_back(nl.shifts);
    edge_batch.push_back(at::full({nl.size()}, static_cast<int64_t>(b), at::kLong));
  }
  if (lists.empty()) {
    g.edge_index = at::zeros({2, 0}, at::kLong);
    g.cell_shifts = at::zeros({0, 3}, dtype);
    g.edge_batch = at::zeros({0}, at::kLong);
    return;
  }
  g.edge_index = at::stack({at::cat(centres), at::cat(neighbours)});
  g.cell_shifts = at::cat(shifts).to(dtype);
  g.edge_batch = at::cat(edge_batch);
}

}  // namespace

Graph collate(const std::vector<const Structure*>& structures,
              const std::vector<NeighbourList>& lists, c10::ScalarType dtype) {
  require_floating(dtype);
  if (lists.size() != structures.size()) {
    fail("collate: {} neighbour lists for {} structures", lists.size(), structures.size());
  }
  for (std::size_t b = 0; b < lists.size(); ++b) {
    const NeighbourList& nl = lists[b];
    if (nl.size() > 0 &&
        std::max(nl.centres.max().item<int64_t>(), nl.neighbours.max().item<int64_t>()) >=
            structures[b]->num_atoms()) {
      fail("collate: neighbour list {} indexes atoms beyond its structure's {}", b,
           structures[b]->num_atoms());
    }
  }
  Graph g = collate_atoms(structures, dtype);
  collate_edges(g, lists, dtype);
  return g;
}

Graph collate(const std::vector<const Structure*>& structures, double cutoff,
              c10::ScalarType dtype) {
  require_floating(dtype);
  std::vector<NeighbourList> lists(structures.size());
  // One structure per task; each list is itself deterministic, so the graph is too.
  at::parallel_for(0, static_cast<int64_t>(structures.size()), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) lists[b] = neighbour_list(*structures[b], cutoff);
  });
  return collate(structures, lists, dtype);
}

}  // namespace eqt::data
