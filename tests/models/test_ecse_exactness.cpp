// ECSE makes any backbone exactly rotation invariant (energies) / equivariant (forces, vector
// outputs): PET, and an MLP on raw Cartesian edge vectors that is not invariant at all.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/so3/rotation.h"
#include "models/ecse_test_support.h"

namespace eqt::testing {
namespace {

struct Rotated {
  models::Evaluation plain, turned;
  at::Tensor rotation;  // positions' = positions @ rotation^T
};

Rotated evaluate_rotated(models::Model& model, const data::Structure& s, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor rotation = so3::random_rotation({}, generator, at::kDouble);
  const auto turned = with_positions(s, at::matmul(s.positions.to(at::kDouble), rotation.t()));
  return {ecse_evaluate(model, graph_of({&s}, model.cutoff())),
          ecse_evaluate(model, graph_of({&turned}, model.cutoff())), rotation};
}

double relative_energy_change(const Rotated& r) {
  return std::abs(r.turned.energy[0].item<double>() - r.plain.energy[0].item<double>()) /
         std::abs(r.plain.energy[0].item<double>());
}

// max |F' - F R^T| / max |F|
double force_covariance_error(const Rotated& r) {
  const at::Tensor expected = at::matmul(r.plain.forces, r.rotation.t());
  return (r.turned.forces - expected).abs().max().item<double>() / r.plain.forces.abs().max().item<double>();
}

void expect_exact(models::Model& model, const std::vector<NamedStructure>& structures) {
  for (const auto& s : structures) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      SCOPED_TRACE(s.name + " seed " + std::to_string(seed));
      const Rotated r = evaluate_rotated(model, s.structure, seed);
      EXPECT_LT(relative_energy_change(r), 1e-12);
      EXPECT_LT(force_covariance_error(r), 1e-11);
    }
  }
}

TEST(EcseExactness, PetBecomesExactlyInvariant) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = pet_reference_structures(shared);
  auto ecse = ecse_pet(shared);
  expect_exact(*ecse, structures);
  // The backbone alone is not: the test would notice a no-op.
  const Rotated bare = evaluate_rotated(ecse->backbone(), structures[0].structure, 1);
  EXPECT_GT(relative_energy_change(bare), 1e-5);
}

TEST(EcseExactness, NonEquivariantMlpBecomesExactlyInvariant) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = pet_reference_structures(shared);
  auto mlp = std::make_shared<CartesianMlp>(3.0);
  models::ecse::EcseModel ecse(mlp);
  expect_exact(ecse, structures);
  const Rotated bare = evaluate_rotated(*mlp, structures[0].structure, 1);
  EXPECT_GT(relative_energy_change(bare), 1e-3);
  EXPECT_GT(force_covariance_error(bare), 1e-3);
}

TEST(EcseExactness, VectorOutputsAreRotatedBackAndEquivariant) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = pet_reference_structures(shared);
  models::ecse::EcseModel ecse(std::make_shared<CartesianMlp>(3.0));
  for (uint64_t seed : {4u, 5u}) {
    const Rotated r = evaluate_rotated(ecse, structures[5].structure, seed);
    const at::Tensor dipole = r.plain.outputs.at("dipole")[0];
    const at::Tensor turned = r.turned.outputs.at("dipole")[0];
    ASSERT_EQ(dipole.sizes(), (at::IntArrayRef{3}));
    EXPECT_LT((turned - at::matmul(r.rotation, dipole)).abs().max().item<double>(),
              1e-11 * dipole.abs().max().item<double>());
  }
}

TEST(EcseExactness, LinearMoleculeNeedsFallbackAndThenUsesIt) {
  EQT_REQUIRE_SHARED(shared);
  // O=C=O on a line: no non-collinear pair anywhere, so no frame.
  const auto co2 = data::make_structure({8, 6, 8}, at::tensor({-1.16, 0.0, 0.0, 0.0, 0.0, 0.0, 1.16, 0.0, 0.0},
                                                              at::kDouble).view({3, 3}));
  auto ecse = ecse_pet(shared);
  const auto graph = graph_of({&co2}, ecse->cutoff());
  EXPECT_THROW(ecse->forward(graph), Error);
  auto fallback = models::pet::load_pet_reference(pet_reference_dir(shared)).model;
  models::ecse::EcseModel with_fallback(models::pet::load_pet_reference(pet_reference_dir(shared)).model, fallback,
                                        ecse->options());
  const auto result = ecse_evaluate(with_fallback, graph);
  const auto direct = ecse_evaluate(*fallback, graph);
  EXPECT_EQ(with_fallback.last_diagnostics().frames_per_structure[0].item<int64_t>(), 0);
  EXPECT_DOUBLE_EQ(with_fallback.last_diagnostics().weight_aux[0].item<double>(), 1.0);
  EXPECT_LT(std::abs(result.energy[0].item<double>() - direct.energy[0].item<double>()), 1e-14);
  EXPECT_LT(max_abs_diff(result.forces, direct.forces), 1e-13);
}

}  // namespace
}  // namespace eqt::testing
