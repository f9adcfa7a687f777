// Physical properties of PET with the official reference weights: smoothness across the cutoff,
// permutation / translation invariance, float32 vs float64, forces and stress vs finite
// differences, periodic structures.
#include <gtest/gtest.h>

#include "eqt/data/extxyz_reader.h"
#include "eqt/models/pet/load.h"
#include "models/pet_test_support.h"

namespace eqt::testing {
namespace {

using models::pet::load_pet_reference;

std::shared_ptr<models::pet::PetModel> reference_model(const std::filesystem::path& shared,
                                                       c10::ScalarType dtype = at::kDouble) {
  return load_pet_reference(pet_reference_dir(shared), dtype).model;
}

data::Structure find(const std::vector<NamedStructure>& all, const std::string& name) {
  for (const auto& s : all) {
    if (s.name == name) return s.structure;
  }
  throw std::runtime_error("no structure " + name);
}

double energy_of(models::Model& model, const data::Structure& s) {
  return model.forward(graph_of({&s}, model.cutoff())).at("energy")[0].item<double>();
}

// Methane plus an oxygen on the x axis at distance d from the carbon.
data::Structure methane_with_oxygen(const data::Structure& methane, double d) {
  const at::Tensor carbon = methane.positions[0];
  const at::Tensor oxygen = (carbon + at::tensor({d, 0.0, 0.0}, at::kDouble)).unsqueeze(0);
  return data::make_structure({6, 1, 1, 1, 1, 8}, at::cat({methane.positions, oxygen}, 0));
}

TEST(PetPhysics, EnergyAndForcesAreContinuousWhereANeighbourCrossesTheCutoffAndSwitch) {
  EQT_REQUIRE_SHARED(shared);
  auto model = reference_model(shared);
  const auto methane = find(pet_reference_structures(shared), "methane_0");
  const double r_cut = model->hypers().r_cut, delta = model->hypers().cutoff_delta;
  constexpr double kStep = 1e-7;
  for (const double crossing : {r_cut, r_cut - delta}) {
    SCOPED_TRACE(crossing);
    const auto inside = methane_with_oxygen(methane, crossing - kStep);
    const auto outside = methane_with_oxygen(methane, crossing + kStep);
    const data::Graph g_in = graph_of({&inside}, model->cutoff());
    const data::Graph g_out = graph_of({&outside}, model->cutoff());
    if (crossing == r_cut) EXPECT_GT(g_in.num_edges(), g_out.num_edges());  // the O-C pair really leaves
    const auto a = pet_forces_for_tests(*model, g_in);
    const auto b = pet_forces_for_tests(*model, g_out);
    // Continuous: changes of the order of step * (force, force derivative), not O(1) jumps.
    EXPECT_LT(std::abs(a.energy[0].item<double>() - b.energy[0].item<double>()), 1e-6);
    EXPECT_LT(max_abs_diff(a.forces, b.forces), 1e-4);
    // ...while the oxygen does feel the carbon inside the switching region.
    const auto deeper = methane_with_oxygen(methane, crossing - 0.05);
    EXPECT_GT(std::abs(energy_of(*model, deeper) - a.energy[0].item<double>()), 1e-6);
  }
}

TEST(PetPhysics, PermutingAtomsPermutesForcesAndKeepsTheEnergy) {
  EQT_REQUIRE_SHARED(shared);
  auto model = reference_model(shared);
  const auto ethanol = find(pet_reference_structures(shared), "ethanol");
  const at::Tensor order = at::randperm(ethanol.num_atoms(), at::kLong);
  data::Structure permuted = ethanol;
  permuted.numbers = ethanol.numbers.index_select(0, order);
  permuted.positions = ethanol.positions.index_select(0, order);
  const auto a = pet_forces_for_tests(*model, graph_of({&ethanol}, model->cutoff()));
  const auto b = pet_forces_for_tests(*model, graph_of({&permuted}, model->cutoff()));
  EXPECT_NEAR(a.energy[0].item<double>(), b.energy[0].item<double>(), 1e-12);
  EXPECT_LT(max_abs_diff(a.forces.index_select(0, order), b.forces), 1e-12);
}

TEST(PetPhysics, TranslatingAllAtomsChangesNothing) {
  EQT_REQUIRE_SHARED(shared);
  auto model = reference_model(shared);
  const auto methanol = find(pet_reference_structures(shared), "methanol");
  const auto moved = with_positions(methanol, methanol.positions + at::tensor({1.3, -2.1, 0.7}, at::kDouble));
  const auto a = pet_forces_for_tests(*model, graph_of({&methanol}, model->cutoff()));
  const auto b = pet_forces_for_tests(*model, graph_of({&moved}, model->cutoff()));
  EXPECT_NEAR(a.energy[0].item<double>(), b.energy[0].item<double>(), 1e-12);
  EXPECT_LT(max_abs_diff(a.forces, b.forces), 1e-12);
}

TEST(PetPhysics, Float32AgreesWithFloat64) {
  EQT_REQUIRE_SHARED(shared);
  auto model64 = reference_model(shared, at::kDouble);
  auto model32 = reference_model(shared, at::kFloat);
  std::vector<const data::Structure*> all;
  const auto structures = pet_reference_structures(shared);
  for (const auto& s : structures) all.push_back(&s.structure);
  const auto a = pet_forces_for_tests(*model64, graph_of(all, model64->cutoff(), at::kDouble));
  const auto b = pet_forces_for_tests(*model32, graph_of(all, model32->cutoff(), at::kFloat));
  EXPECT_EQ(b.energy.scalar_type(), at::kFloat);
  EXPECT_LT(max_rel_diff(b.energy, a.energy), 1e-4);
  EXPECT_LT(max_rel_diff(b.forces, a.forces), 1e-4);
}

// Largest |F_autograd + dE/dx_FD| over the first `atoms` atoms.
double force_fd_error(models::Model& model, const data::Structure& s, int64_t atoms, double h) {
  const auto result = pet_forces_for_tests(model, graph_of({&s}, model.cutoff()));
  double worst = 0.0;
  for (int64_t i = 0; i < atoms; ++i) {
    for (int64_t c = 0; c < 3; ++c) {
      at::Tensor plus = s.positions.clone(), minus = s.positions.clone();
      plus[i][c] += h;
      minus[i][c] -= h;
      const double derivative = (energy_of(model, with_positions(s, plus)) - energy_of(model, with_positions(s, minus))) / (2 * h);
      worst = std::max(worst, std::abs(result.forces[i][c].item<double>() + derivative));
    }
  }
  return worst;
}

TEST(PetPhysics, ForcesMatchFiniteDifferences) {
  EQT_REQUIRE_SHARED(shared);
  auto model = reference_model(shared);
  const auto ethanol = find(pet_reference_structures(shared), "ethanol");
  EXPECT_LT(force_fd_error(*model, ethanol, ethanol.num_atoms(), 1e-5), 1e-7);
}

data::Structure water_box(const std::filesystem::path& shared) {
  return data::read_extxyz(shared / "data" / "water" / "water_rpbe_d3_n2p2.xyz", data::FrameRange{0, 1, 1}).at(0);
}

TEST(PetPhysics, PeriodicWaterForcesMatchFiniteDifferences) {
  EQT_REQUIRE_SHARED(shared);
  auto model = reference_model(shared);
  const auto water = water_box(shared);
  ASSERT_TRUE(water.periodic());
  const data::Graph graph = graph_of({&water}, model->cutoff());
  EXPECT_GT(graph.num_edges(), 10 * water.num_atoms());
  const auto result = pet_forces_for_tests(*model, graph);
  EXPECT_TRUE(at::isfinite(result.forces).all().item<bool>());
  // Net force vanishes (translation invariance of a periodic system).
  EXPECT_LT(result.forces.sum(0).abs().max().item<double>(), 1e-10);
  EXPECT_LT(force_fd_error(*model, water, 2, 1e-5), 1e-7);
}

TEST(PetPhysics, PeriodicWaterStressMatchesStrainFiniteDifferences) {
  EQT_REQUIRE_SHARED(shared);
  auto model = reference_model(shared);
  const auto water = water_box(shared);
  const at::Tensor stress = pet_stress_for_tests(*model, graph_of({&water}, model->cutoff()))[0];
  const double volume = at::linalg_det(water.cell).abs().item<double>();
  constexpr double h = 1e-5;
  for (int64_t a = 0; a < 3; ++a) {
    for (int64_t b = a; b < 3; ++b) {
      const auto strained = [&](double sign) {
        at::Tensor deformation = at::eye(3, at::kDouble);
        deformation[a][b] += sign * 0.5 * h;
        deformation[b][a] += sign * 0.5 * h;
        data::Structure s = with_positions(water, at::matmul(water.positions, deformation));
        s.cell = at::matmul(water.cell, deformation);
        return energy_of(*model, s);
      };
      const double expected = (strained(1.0) - strained(-1.0)) / (2 * h) / volume;
      EXPECT_NEAR(stress[a][b].item<double>(), expected, 1e-8) << a << b;
      EXPECT_NEAR(stress[a][b].item<double>(), stress[b][a].item<double>(), 1e-12);
    }
  }
}

}  // namespace
}  // namespace eqt::testing
