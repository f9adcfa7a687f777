#include "eqt/data/graph.h"

namespace eqt::data {

at::Tensor Graph::edge_vectors() const {
  const at::Tensor centres = edge_index[0];
  const at::Tensor neighbours = edge_index[1];
  const at::Tensor relative =
      positions.index_select(0, neighbours) - positions.index_select(0, centres);
  // One structure (MD): a single [E,3] x [3,3] product, no per-edge copy of the cell.
  if (num_structures() == 1) return relative + at::matmul(cell_shifts, cell[0]);
  const at::Tensor edge_cells = cell.index_select(0, edge_batch);  // [E, 3, 3]
  return relative + at::bmm(cell_shifts.unsqueeze(1), edge_cells).squeeze(1);
}

Graph Graph::to(c10::ScalarType dtype) const {
  Graph g = *this;
  g.positions = positions.to(dtype);
  g.cell = cell.to(dtype);
  g.cell_shifts = cell_shifts.to(dtype);
  return g;
}

Graph Graph::to(c10::Device device) const {
  Graph g;
  g.species = species.to(device);
  g.positions = positions.to(device);
  g.cell = cell.to(device);
  g.pbc = pbc.to(device);
  g.batch = batch.to(device);
  g.ptr = ptr.to(device);
  g.edge_index = edge_index.to(device);
  g.cell_shifts = cell_shifts.to(device);
  g.edge_batch = edge_batch.to(device);
  if (tags.defined()) g.tags = tags.to(device);
  return g;
}

}  // namespace eqt::data
