// collate() and Graph: a batch holds each structure's own neighbour list, offset; edge vectors
// have the neighbour-list lengths and are differentiable in positions and cell.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/neighbour_list.h"

namespace eqt::data {
namespace {

constexpr double kCutoff = 4.0;

Structure random_structure(int64_t n, const at::Tensor& cell, std::array<bool, 3> pbc,
                           uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor frac = at::rand({n, 3}, gen, at::kDouble) * 1.4 - 0.2;
  std::vector<int64_t> numbers(n);
  for (int64_t a = 0; a < n; ++a) numbers[a] = 1 + (a * 7 + static_cast<int64_t>(seed)) % 8;
  return make_structure(numbers, at::matmul(frac, cell), cell, pbc);
}

// A periodic skewed box, a mixed-pbc slab, a molecule (with a cell, but not periodic) and a tiny
// periodic cell.
std::vector<Structure> mixed_structures() {
  const at::Tensor box = at::tensor({8.3, 0., 0., 1.7, 7.9, 0., -1.1, 0.6, 8.8}).reshape({3, 3});
  return {random_structure(40, box.to(at::kDouble), {true, true, true}, 1),
          random_structure(25, box.to(at::kDouble), {true, false, true}, 2),
          random_structure(4, at::eye(3, at::kDouble) * 3, {false, false, false}, 3),
          random_structure(2, at::eye(3, at::kDouble) * 1.8, {true, true, true}, 4)};
}

std::vector<const Structure*> pointers(const std::vector<Structure>& structures) {
  std::vector<const Structure*> out;
  for (const auto& s : structures) out.push_back(&s);
  return out;
}

TEST(Batch, EdgesAreEachStructuresListOffset) {
  const auto structures = mixed_structures();
  const Graph g = collate(pointers(structures), kCutoff, at::kDouble);
  ASSERT_EQ(g.num_structures(), 4);
  int64_t atom_offset = 0, edge_offset = 0;
  for (int64_t b = 0; b < 4; ++b) {
    const Structure& s = structures[b];
    const NeighbourList nl = neighbour_list(s, kCutoff);
    const int64_t n = s.num_atoms(), e = nl.size();
    EXPECT_EQ(g.ptr[b].item<int64_t>(), atom_offset);
    EXPECT_TRUE(at::equal(g.species.narrow(0, atom_offset, n), s.numbers));
    EXPECT_TRUE(at::equal(g.positions.narrow(0, atom_offset, n), s.positions));
    // Molecules get a zero cell in the graph, whatever box their file gave them.
    EXPECT_TRUE(at::equal(g.cell[b], s.periodic() ? s.cell : at::zeros({3, 3}, at::kDouble)));
    EXPECT_TRUE((g.batch.narrow(0, atom_offset, n) == b).all().item<bool>());
    for (int k = 0; k < 3; ++k) EXPECT_EQ(g.pbc[b][k].item<bool>(), s.pbc[k]);
    EXPECT_TRUE(at::equal(g.edge_index[0].narrow(0, edge_offset, e), nl.centres + atom_offset));
    EXPECT_TRUE(at::equal(g.edge_index[1].narrow(0, edge_offset, e), nl.neighbours + atom_offset));
    EXPECT_TRUE(at::equal(g.cell_shifts.narrow(0, edge_offset, e), nl.shifts.to(at::kDouble)));
    EXPECT_TRUE((g.edge_batch.narrow(0, edge_offset, e) == b).all().item<bool>());
    atom_offset += n;
    edge_offset += e;
  }
  EXPECT_EQ(g.ptr[4].item<int64_t>(), atom_offset);
  EXPECT_EQ(g.num_atoms(), atom_offset);
  EXPECT_EQ(g.num_edges(), edge_offset);
  EXPECT_GT(edge_offset, 0);
}

// Edge vectors recomputed here per edge from the structures, in double precision.
TEST(Batch, EdgeVectorsHaveNeighbourListLengths) {
  const auto structures = mixed_structures();
  const Graph g = collate(pointers(structures), kCutoff, at::kDouble);
  const at::Tensor vectors = g.edge_vectors();
  ASSERT_EQ(vectors.sizes(), (std::vector<int64_t>{g.num_edges(), 3}));
  const auto ei = g.edge_index.accessor<int64_t, 2>();
  const auto eb = g.edge_batch.accessor<int64_t, 1>();
  const auto sh = g.cell_shifts.accessor<double, 2>();
  const auto ptr = g.ptr.accessor<int64_t, 1>();
  const auto v = vectors.accessor<double, 2>();
  for (int64_t e = 0; e < g.num_edges(); ++e) {
    const Structure& s = structures[eb[e]];
    const auto p = s.positions.accessor<double, 2>();
    const auto cell = s.cell.accessor<double, 2>();
    double length_sq = 0;
    for (int c = 0; c < 3; ++c) {
      const double expected = p[ei[1][e] - ptr[eb[e]]][c] - p[ei[0][e] - ptr[eb[e]]][c] +
                              sh[e][0] * cell[0][c] + sh[e][1] * cell[1][c] + sh[e][2] * cell[2][c];
      EXPECT_NEAR(v[e][c], expected, 1e-12);
      length_sq += v[e][c] * v[e][c];
    }
    EXPECT_LT(std::sqrt(length_sq), kCutoff);
  }
  // float32 graphs: the same vectors to float precision.
  EXPECT_LT((g.to(at::kFloat).edge_vectors().to(at::kDouble) - vectors).abs().max().item<double>(),
            1e-5);
}

// d/dx of sum |v|^2 against central finite differences, for positions and cells.
TEST(Batch, EdgeVectorsAreDifferentiable) {
  const auto structures = mixed_structures();
  Graph g = collate(pointers(structures), kCutoff, at::kDouble);
  const auto energy = [&](const at::Tensor& positions, const at::Tensor& cell) {
    Graph h = g;
    h.positions = positions;
    h.cell = cell;
    return h.edge_vectors().pow(2).sum().sin();  // non-linear, so gradients are not trivial
  };
  const at::Tensor positions = g.positions.clone().requires_grad_(true);
  const at::Tensor cell = g.cell.clone().requires_grad_(true);
  energy(positions, cell).backward();
  ASSERT_TRUE(positions.grad().defined());
  ASSERT_TRUE(cell.grad().defined());
  const double h = 1e-6;
  for (const at::Tensor& x : {positions, cell}) {
    const at::Tensor flat = x.detach().reshape(-1);
    for (int64_t k = 0; k < flat.numel(); k += 7) {
      at::Tensor plus = flat.clone(), minus = flat.clone();
      plus[k] += h;
      minus[k] -= h;
      const bool is_positions = x.dim() == 2;
      const auto energy_at = [&](const at::Tensor& values) {
        const at::Tensor moved = values.view_as(x);
        return (is_positions ? energy(moved, g.cell) : energy(g.positions, moved)).item<double>();
      };
      const double ep = energy_at(plus), em = energy_at(minus);
      const double numeric = (ep - em) / (2 * h);  // O(h^2) truncation: compare relatively
      EXPECT_NEAR(x.grad().reshape(-1)[k].item<double>(), numeric, 1e-6 * (1 + std::abs(numeric)));
    }
  }
}

TEST(Batch, ConvertsDtypeAndRejectsIntegers) {
  const auto structures = mixed_structures();
  const Graph g = collate(pointers(structures), kCutoff, at::kFloat);
  EXPECT_EQ(g.positions.scalar_type(), at::kFloat);
  EXPECT_EQ(g.cell.scalar_type(), at::kFloat);
  EXPECT_EQ(g.cell_shifts.scalar_type(), at::kFloat);
  const Graph d = g.to(at::kDouble);
  EXPECT_EQ(d.positions.scalar_type(), at::kDouble);
  EXPECT_EQ(d.cell_shifts.scalar_type(), at::kDouble);
  EXPECT_EQ(d.edge_index.scalar_type(), at::kLong);
  EXPECT_TRUE(at::equal(d.edge_index, g.edge_index));
  const Graph moved = g.to(c10::Device(c10::kCPU));
  EXPECT_TRUE(at::equal(moved.edge_index, g.edge_index));
  EXPECT_THROW(collate(pointers(structures), kCutoff, at::kLong), Error);
  const Graph empty = collate({}, kCutoff, at::kFloat);
  EXPECT_EQ(empty.num_structures(), 0);
  EXPECT_EQ(empty.num_edges(), 0);
  EXPECT_EQ(empty.edge_vectors().size(0), 0);
}

// Neighbour lists are built in parallel over structures: errors must still arrive as eqt::Error.
TEST(Batch, PropagatesNeighbourListErrors) {
  auto structures = mixed_structures();
  structures[2].positions[1][0] = std::nan("");
  const int saved = at::get_num_threads();
  at::set_num_threads(2);
  EXPECT_THROW(collate(pointers(structures), kCutoff, at::kFloat), Error);
  at::set_num_threads(saved);
}

}  // namespace
}  // namespace eqt::data
