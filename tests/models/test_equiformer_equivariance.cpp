// Symmetries of Equiformer energies and forces: rotations (and inversion for parity-consistent
// "E(3)" irreps; the paper's MD17 models label l=1 features 1e and are only SE(3)-equivariant),
// translations, permutations of atoms, and periodic cells rotated together with the atoms.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/reference_loader.h"
#include "eqt/models/potential.h"
#include "eqt/so3/equivariance.h"
#include "equiformer_fixtures.h"

namespace eqt::testing {
namespace {

using models::equiformer::AttentionType;
using models::equiformer::EquiformerConfig;
using models::equiformer::EquiformerModel;
using so3::Transform;

constexpr double kTolerance = 1e-12;

// Parameters moved off their (often zero / one) initial values so every path is exercised.
void perturb(torch::nn::Module& model, uint64_t seed) {
  at::NoGradGuard no_grad;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (auto& p : model.parameters()) p.add_(0.1 * at::randn(p.sizes(), generator, p.options()));
}

std::shared_ptr<EquiformerModel> built(const EquiformerConfig& config) {
  auto model = std::make_shared<EquiformerModel>(config, at::kDouble);
  perturb(*model, 7);
  return model;
}

// (positions, cell) -> (energy [B, 1], forces [N, 3]) on a fixed edge set.
so3::TensorFunction energy_and_forces(models::Model& model, const data::Graph& graph) {
  return [&model, graph](const std::vector<at::Tensor>& inputs) {
    data::Graph moved = graph;
    moved.positions = inputs[0];
    if (inputs.size() > 1) moved.cell = inputs[1].unsqueeze(0);
    const auto result = models::evaluate(model, moved);
    return std::vector<at::Tensor>{result.energy.unsqueeze(1), result.forces};
  };
}

void expect_symmetric(models::Model& model, const data::Structure& structure, bool inversion, bool periodic = false) {
  const auto graph = graph_of(structure, model.cutoff());
  ASSERT_GT(graph.num_edges(), 0);
  so3::EquivarianceOptions options;
  options.inversion = inversion;
  options.trials = 2;
  std::vector<at::Tensor> inputs{graph.positions};
  std::vector<Transform> transforms_in{Transform::cartesian_points()};
  if (periodic) {
    inputs.push_back(graph.cell[0]);
    transforms_in.emplace_back("1x1o");  // lattice vectors are rows: they rotate like positions
  }
  const auto error =
      so3::equivariance_error(energy_and_forces(model, graph), inputs, transforms_in, {"1x0e", "1x1o"}, options);
  const double scale = std::max(1.0, models::evaluate(model, graph).energy.abs().max().item<double>());
  EXPECT_LT(error.per_output[0], kTolerance * scale) << error.summary();
  EXPECT_LT(error.per_output[1], 1e-10) << error.summary();
}

void expect_permutation_invariant(models::Model& model, const data::Structure& structure) {
  const int64_t n = structure.num_atoms();
  const at::Tensor order = at::randperm(n, at::TensorOptions().dtype(at::kLong));
  data::Structure permuted = data::make_structure(
      std::vector<int64_t>(n), structure.positions.index_select(0, order), structure.cell, structure.pbc);
  permuted.numbers = structure.numbers.index_select(0, order);
  const auto a = models::evaluate(model, graph_of(structure, model.cutoff()));
  const auto b = models::evaluate(model, graph_of(permuted, model.cutoff()));
  EXPECT_NEAR(a.energy.item<double>(), b.energy.item<double>(), kTolerance * std::max(1.0, a.energy.abs().item<double>()));
  EXPECT_LT((a.forces.index_select(0, order) - b.forces).abs().max().item<double>(), 1e-10);
}

TEST(EquiformerSymmetry, ReferenceModelsRotationTranslationPermutation) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = reference_structures(shared);
  for (const char* name : kEquiformerReferenceConfigs) {
    SCOPED_TRACE(name);
    const auto model = models::equiformer::load_equiformer_reference(equiformer_reference_dir(shared) / name);
    expect_symmetric(*model, structures[2], /*inversion=*/false);  // aspirin
    expect_permutation_invariant(*model, structures[0]);
    // The official MD17 irreps (l = 1 labelled 1e) make the model SE(3)- but not E(3)-invariant:
    // paths such as 1 x 1 -> 1 give pseudoscalar energy terms, so mirror images differ.
    const auto graph = graph_of(structures[2], model->cutoff());
    data::Graph inverted = graph;
    inverted.positions = -graph.positions;
    const double difference =
        (models::evaluate(*model, graph).energy - models::evaluate(*model, inverted).energy).abs().item<double>();
    EXPECT_GT(difference, 1e-9);
  }
}

TEST(EquiformerSymmetry, LmaxThreeBesselBasis) {
  EquiformerConfig c = small_config();
  c.irreps_node_embedding = "16x0e+8x1e+4x2e+4x3e";
  c.irreps_sh = "1x0e+1x1e+1x2e+1x3e";
  c.irreps_head = "4x0e+2x1e+2x2e+1x3e";
  c.irreps_mlp_mid = "16x0e+8x1e+8x2e+4x3e";
  c.basis_type = "bessel";
  const auto model = built(c);
  const auto structure = distorted_fcc();
  data::Structure molecule = data::make_structure({6, 1, 8, 1}, structure.positions);
  expect_symmetric(*model, molecule, false);
  expect_permutation_invariant(*model, molecule);
}

TEST(EquiformerSymmetry, DotProductAndLinearMessagesGaussian) {
  EquiformerConfig dp = small_config();
  dp.attention = AttentionType::DotProduct;
  dp.nonlinear_message = false;
  dp.rescale_degree = true;
  EquiformerConfig linear = small_config();
  linear.nonlinear_message = false;
  linear.basis_type = "gaussian";
  const auto molecule = data::make_structure({6, 1, 8, 1, 7}, at::tensor({0.0, 0.0, 0.0, 1.1, 0.1, -0.2, -0.3, 1.3, 0.2,
                                                                        -0.9, -0.6, 0.4, 0.5, -0.4, 1.2}, at::kDouble).view({5, 3}));
  for (const auto& config : {dp, linear}) {
    const auto model = built(config);
    expect_symmetric(*model, molecule, false);
    expect_permutation_invariant(*model, molecule);
  }
}

TEST(EquiformerSymmetry, ParityConsistentIrrepsAreInversionInvariant) {
  EquiformerConfig c = small_config();
  c.irreps_node_embedding = "16x0e+4x0o+8x1o+4x1e+4x2e+2x2o";
  c.irreps_sh = "1x0e+1x1o+1x2e";
  c.irreps_mlp_mid = "16x0e+4x0o+8x1o+4x1e+4x2e+2x2o";
  const auto molecule = data::make_structure({6, 1, 8, 1}, at::tensor({0.0, 0.0, 0.0, 1.1, 0.1, -0.2, -0.3, 1.3, 0.2,
                                                                        -0.9, -0.6, 0.4}, at::kDouble).view({4, 3}));
  // Heads ordered as each attention sorts them: graph attention even parity first, dot product odd first.
  c.irreps_head = "4x0e+1x0o+1x1e+2x1o+1x2e+1x2o";
  expect_symmetric(*built(c), molecule, /*inversion=*/true);
  c.attention = AttentionType::DotProduct;
  c.nonlinear_message = false;
  c.irreps_head = "1x0o+4x0e+2x1o+1x1e+1x2o+1x2e";
  expect_symmetric(*built(c), molecule, /*inversion=*/true);
}

TEST(EquiformerSymmetry, HeadsThatWouldMixIrrepsAreRefused) {
  EquiformerConfig c = small_config();
  c.irreps_node_embedding = "16x0e+8x1o+4x1e";
  c.irreps_sh = "1x0e+1x1o+1x2e";
  c.irreps_head = "4x0e+2x1o+1x1e";  // graph attention would sort 1e before 1o
  c.irreps_mlp_mid = "16x0e+8x1o+4x1e";
  EXPECT_THROW(EquiformerModel(c, at::kDouble), Error);
}

TEST(EquiformerSymmetry, PeriodicCellRotatedWithTheAtoms) {
  const auto model = built(small_config());
  const auto crystal = distorted_fcc();
  expect_symmetric(*model, crystal, false, /*periodic=*/true);
  expect_permutation_invariant(*model, crystal);
}

}  // namespace
}  // namespace eqt::testing
