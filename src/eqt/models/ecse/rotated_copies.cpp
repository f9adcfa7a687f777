#include "eqt/models/ecse/rotated_copies.h"

#include <vector>

#include "eqt/core/index_tensor.h"

namespace eqt::models::ecse {
namespace {

std::vector<int64_t> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kCPU, at::kLong).contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// Index plan of the copies, built on the CPU from the (small) integer tensors.
struct Plan {
  std::vector<int64_t> atom_source, atom_frame, edge_source, edge_frame, centre, neighbour, ptr{0};
};

Plan make_plan(const data::Graph& graph, const std::vector<int64_t>& frame_structure) {
  const auto ptr = to_vector(graph.ptr);
  const auto edge_batch = to_vector(graph.edge_batch);
  const auto centres = to_vector(graph.edge_index[0]);
  const auto neighbours = to_vector(graph.edge_index[1]);
  std::vector<std::vector<int64_t>> edges_of(ptr.size() - 1);
  for (std::size_t e = 0; e < edge_batch.size(); ++e) edges_of[static_cast<std::size_t>(edge_batch[e])].push_back(static_cast<int64_t>(e));
  Plan plan;
  for (std::size_t f = 0; f < frame_structure.size(); ++f) {
    const auto s = static_cast<std::size_t>(frame_structure[f]);
    const int64_t offset = plan.ptr.back() - ptr[s];  // input atom index -> copy atom index
    for (int64_t a = ptr[s]; a < ptr[s + 1]; ++a) {
      plan.atom_source.push_back(a);
      plan.atom_frame.push_back(static_cast<int64_t>(f));
    }
    for (int64_t e : edges_of[s]) {
      plan.edge_source.push_back(e);
      plan.edge_frame.push_back(static_cast<int64_t>(f));
      plan.centre.push_back(centres[static_cast<std::size_t>(e)] + offset);
      plan.neighbour.push_back(neighbours[static_cast<std::size_t>(e)] + offset);
    }
    plan.ptr.push_back(plan.ptr.back() + ptr[s + 1] - ptr[s]);
  }
  return plan;
}

}  // namespace

RotatedCopies rotated_copies(const data::Graph& graph, const at::Tensor& rotations, const at::Tensor& structure) {
  const Plan plan = make_plan(graph, to_vector(structure));
  const at::Device device = graph.positions.device();
  const at::Tensor atom_source = long_tensor(plan.atom_source, device);
  const at::Tensor atom_frame = long_tensor(plan.atom_frame, device);
  const at::Tensor edge_source = long_tensor(plan.edge_source, device);
  const at::Tensor structure_on_device = structure.to(device);

  data::Graph g;
  g.species = graph.species.index_select(0, atom_source);
  g.positions = at::bmm(graph.positions.index_select(0, atom_source).unsqueeze(1),
                        rotations.index_select(0, atom_frame)).squeeze(1);
  g.cell = at::bmm(graph.cell.index_select(0, structure_on_device), rotations);
  g.pbc = graph.pbc.index_select(0, structure_on_device);
  g.batch = atom_frame;
  g.ptr = long_tensor(plan.ptr, device);
  g.edge_index = at::stack({long_tensor(plan.centre, device), long_tensor(plan.neighbour, device)});
  g.cell_shifts = graph.cell_shifts.index_select(0, edge_source);
  g.edge_batch = long_tensor(plan.edge_frame, device);
  return {g, atom_source};
}

}  // namespace eqt::models::ecse
