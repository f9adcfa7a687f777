// Symmetries of the OC20 Equiformer (both reference configurations, float64): rotating the
// positions and the cell together and translating the positions leaves the IS2RE energy unchanged
// and rotates the auxiliary IS2RS vector and the forces with them, to 1e-12.
#include <gtest/gtest.h>

#include <cmath>

#include "eqt/data/batch.h"
#include "eqt/data/slab_neighbour_list.h"
#include "eqt/models/equiformer_oc20/model_format.h"
#include "eqt/models/potential.h"
#include "support/oc20_reference.h"
#include "support/reference.h"

namespace eqt::testing {
namespace {

constexpr double kOc20SymmetryTolerance = 1e-12;

// Proper rotation R = Rz(a) Ry(b) Rz(c), float64.
at::Tensor oc20_rotation_zyz(double a, double b, double c) {
  const auto rz = [](double t) {
    return at::tensor({std::cos(t), -std::sin(t), 0.0, std::sin(t), std::cos(t), 0.0, 0.0, 0.0, 1.0}, at::kDouble)
        .reshape({3, 3});
  };
  const at::Tensor ry = at::tensor({std::cos(b), 0.0, std::sin(b), 0.0, 1.0, 0.0, -std::sin(b), 0.0, std::cos(b)},
                                   at::kDouble)
                            .reshape({3, 3});
  return at::matmul(at::matmul(rz(a), ry), rz(c));
}

// The structure with positions r -> R r + t and lattice vectors a -> R a, on the same edges (the
// OC20 rule is invariant, so the edges would be rebuilt identically: checked below).
data::Graph oc20_moved_graph(const Oc20ReferenceStructure& s, const data::NeighbourList& edges, const at::Tensor& rotation,
                        const at::Tensor& translation) {
  data::Structure moved = s.structure;
  moved.positions = at::matmul(s.structure.positions, rotation.t()) + translation;
  moved.cell = at::matmul(s.structure.cell, rotation.t());
  return data::collate({&moved}, {edges}, at::kDouble);
}

double oc20_relative(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-300);
}

class Oc20Equivariance : public ::testing::TestWithParam<const char*> {};

TEST_P(Oc20Equivariance, EnergyInvariantAuxiliaryVectorAndForcesRotate) {
  EQT_REQUIRE_SHARED(shared);
  const auto model = models::equiformer_oc20::load_oc20_reference(oc20_reference_dir(shared) / GetParam());
  const data::SlabGraphOptions rule{model->cutoff(), model->config().max_neighbours};
  const auto structures = load_oc20_structures(shared);
  const at::Tensor translation = at::tensor({0.3, -1.0, 2.0}, at::kDouble);
  const at::Tensor rotations[] = {oc20_rotation_zyz(0.7, 1.3, -2.1), oc20_rotation_zyz(-2.9, 0.4, 1.7),
                                  at::eye(3, at::kDouble)};
  for (const std::size_t k : {std::size_t{2}, std::size_t{5}}) {  // au111 (self-images), triclinic
    const auto& s = structures[k];
    SCOPED_TRACE(s.name);
    const data::NeighbourList edges = data::slab_neighbour_list(s.structure, rule);
    const auto base = models::evaluate(*model, oc20_moved_graph(s, edges, at::eye(3, at::kDouble), at::zeros({3}, at::kDouble)),
                                       {true, false, false, "energy_raw"});
    ASSERT_GT(base.outputs.at("aux_pos").abs().max().item<double>(), 1e-6);
    for (const at::Tensor& r : rotations) {
      const data::Graph graph = oc20_moved_graph(s, edges, r, translation);
      // Rebuilding the graph from the moved structure gives the same edges.
      data::Structure moved = s.structure;
      moved.positions = graph.positions;
      moved.cell = graph.cell[0];
      const data::NeighbourList rebuilt = data::slab_neighbour_list(moved, rule);
      EXPECT_TRUE(at::equal(rebuilt.neighbours, edges.neighbours) && at::equal(rebuilt.shifts, edges.shifts));
      const auto out = models::evaluate(*model, graph, {true, false, false, "energy_raw"});
      EXPECT_LT(oc20_relative(out.energy, base.energy), kOc20SymmetryTolerance);
      EXPECT_LT(oc20_relative(out.outputs.at("aux_pos"), at::matmul(base.outputs.at("aux_pos"), r.t())), kOc20SymmetryTolerance);
      EXPECT_LT(oc20_relative(out.forces, at::matmul(base.forces, r.t())), kOc20SymmetryTolerance);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Configs, Oc20Equivariance, ::testing::Values("small_gat_nonlinear_aux", "small_dp_aux"));

}  // namespace
}  // namespace eqt::testing
