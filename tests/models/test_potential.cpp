// evaluate(): forces and stress against central finite differences of the energy (float64),
// second derivatives through create_graph, and float32 against float64.
#include <gtest/gtest.h>

#include <torch/csrc/autograd/autograd.h>

#include "eqt/models/potential.h"
#include "eqt/models/state_dict.h"
#include "equiformer_fixtures.h"

namespace eqt::testing {
namespace {

using models::equiformer::EquiformerModel;

std::shared_ptr<EquiformerModel> perturbed_model() {
  at::manual_seed(7);  // the initial weights too: the same model in every run
  auto model = std::make_shared<EquiformerModel>(small_config(), at::kDouble);
  at::NoGradGuard no_grad;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  for (auto& p : model->parameters()) p.add_(0.1 * at::randn(p.sizes(), generator, p.options()));
  return model;
}

double energy_at(models::Model& model, const data::Graph& graph, const at::Tensor& positions, const at::Tensor& cell) {
  data::Graph moved = graph;
  moved.positions = positions;
  moved.cell = cell;
  return models::evaluate(model, moved, {false, false, false}).energy.sum().item<double>();
}

TEST(Potential, ForcesMatchFiniteDifferences) {
  const auto model = perturbed_model();
  const auto graph = graph_of(distorted_fcc(), model->cutoff());
  const auto result = models::evaluate(*model, graph);
  const double h = 1e-5;
  for (int64_t atom = 0; atom < graph.num_atoms(); ++atom) {
    for (int64_t d = 0; d < 3; ++d) {
      at::Tensor plus = graph.positions.clone(), minus = graph.positions.clone();
      plus[atom][d] += h;
      minus[atom][d] -= h;
      const double numeric = -(energy_at(*model, graph, plus, graph.cell) - energy_at(*model, graph, minus, graph.cell)) / (2 * h);
      EXPECT_NEAR(result.forces[atom][d].item<double>(), numeric, 1e-7) << "atom " << atom << " dim " << d;
    }
  }
}

TEST(Potential, StressMatchesStrainDerivative) {
  const auto model = perturbed_model();
  const auto graph = graph_of(distorted_fcc(), model->cutoff());
  const auto result = models::evaluate(*model, graph, {true, true, false});
  ASSERT_EQ(result.stress.sizes(), (std::vector<int64_t>{1, 3, 3}));
  const double volume = at::linalg_det(graph.cell[0]).abs().item<double>();
  const double h = 1e-5;
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      // Symmetric strain e_ab = e_ba = h/2 (h on the diagonal), as ASE's numerical stress.
      const auto strained = [&](double sign) {
        at::Tensor strain = at::zeros({3, 3}, at::kDouble);
        strain[a][b] += 0.5 * sign * h;
        strain[b][a] += 0.5 * sign * h;
        const at::Tensor deformation = at::eye(3, at::kDouble) + strain;
        return energy_at(*model, graph, at::mm(graph.positions, deformation), at::matmul(graph.cell, deformation));
      };
      const double numeric = (strained(1.0) - strained(-1.0)) / (2 * h) / volume;
      // Central differences: O(h^2) truncation plus float64 rounding of E / (h * volume).
      EXPECT_NEAR(result.stress[0][a][b].item<double>(), numeric, 1e-8 + 1e-6 * std::abs(numeric)) << a << b;
    }
  }
  // Symmetric by construction.
  EXPECT_LT((result.stress - result.stress.transpose(1, 2)).abs().max().item<double>(), 1e-14);
}

TEST(Potential, ForcesAreDifferentiableOnceMore) {
  const auto model = perturbed_model();
  const auto graph = graph_of(distorted_fcc(), model->cutoff());
  const auto force_component = [&](const at::Tensor& positions, bool create_graph) {
    data::Graph moved = graph;
    moved.positions = positions;
    return models::evaluate(*model, moved, {true, false, create_graph}).forces[0][0];
  };
  // dF[0][0]/dpositions[1][2] by autograd through create_graph, against central differences.
  const at::Tensor positions = graph.positions.clone().requires_grad_(true);
  const at::Tensor force = force_component(positions, true);
  ASSERT_TRUE(force.requires_grad());
  const auto second = torch::autograd::grad({force}, {positions})[0];
  const double h = 1e-5;
  at::Tensor plus = graph.positions.clone(), minus = graph.positions.clone();
  plus[1][2] += h;
  minus[1][2] -= h;
  const double numeric =
      (force_component(plus, false).item<double>() - force_component(minus, false).item<double>()) / (2 * h);
  EXPECT_NE(numeric, 0.0);
  EXPECT_NEAR(second[1][2].item<double>(), numeric, 1e-6 * std::max(1.0, std::abs(numeric)));
  // A force loss backpropagates into the parameters (force training).
  const auto forces = models::evaluate(*model, graph, {true, false, true}).forces;
  const auto grads = torch::autograd::grad({forces.pow(2).sum()}, model->parameters(), {}, false, false, true);
  double total = 0.0;
  for (const auto& g : grads) total += g.defined() ? g.abs().sum().item<double>() : 0.0;
  EXPECT_GT(total, 0.0);
}

TEST(Potential, Float32AgreesWithFloat64) {
  const auto model64 = perturbed_model();
  // The same weights in float32: built in float32, loaded from the float64 model's state dict.
  const auto model32 = std::make_shared<EquiformerModel>(small_config(), at::kFloat);
  models::load_state_dict(*model32, models::state_dict(*model64));
  ASSERT_EQ(model32->parameters()[0].scalar_type(), at::kFloat);
  const auto crystal = distorted_fcc();
  const auto r64 = models::evaluate(*model64, graph_of(crystal, model64->cutoff(), at::kDouble), {true, true, false});
  const auto r32 = models::evaluate(*model32, graph_of(crystal, model32->cutoff(), at::kFloat), {true, true, false});
  ASSERT_EQ(r32.energy.scalar_type(), at::kFloat);
  ASSERT_EQ(r32.forces.scalar_type(), at::kFloat);
  const auto relative = [](const at::Tensor& a, const at::Tensor& b) {
    return (a.to(at::kDouble) - b).abs().max().item<double>() / b.abs().max().item<double>();
  };
  EXPECT_LT(relative(r32.energy, r64.energy), 1e-4);
  EXPECT_LT(relative(r32.forces, r64.forces), 1e-4);
  EXPECT_LT(relative(r32.stress, r64.stress), 1e-4);
}

}  // namespace
}  // namespace eqt::testing
