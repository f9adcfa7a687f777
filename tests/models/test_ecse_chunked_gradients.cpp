// Inference through ECSE evaluates the backbone in chunks of frames and backpropagates each chunk
// at once (EcseModel::forward_with_gradients, used by models::evaluate without create_graph). The
// result must be that of one autograd graph over all frames (the create_graph path), to rounding:
// energies, forces and stress, with and without a fallback model, periodic or not.
#include <gtest/gtest.h>

#include "eqt/models/ecse/frame_chunks.h"
#include "models/ecse_test_support.h"

namespace eqt::testing {
namespace {

double relative_error(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max().clamp_min(1e-300)).item<double>();
}

void expect_chunked_equals_whole(models::Model& model, const data::Graph& graph) {
  const auto whole = models::evaluate(model, graph, {true, true, /*create_graph=*/true});
  const auto chunked = models::evaluate(model, graph, {true, true, false});
  EXPECT_FALSE(chunked.energy.requires_grad());
  EXPECT_LT(relative_error(chunked.energy, whole.energy.detach()), 1e-12);
  EXPECT_LT(relative_error(chunked.forces, whole.forces.detach()), 1e-12);
  EXPECT_LT(relative_error(chunked.stress, whole.stress.detach()), 1e-12);
}

data::Graph batch(const std::filesystem::path& shared, double cutoff) {
  const auto structures = pet_reference_structures(shared);
  data::Structure periodic = structures[0].structure;  // methane in a 5 A box: neighbours across faces
  periodic.cell = 5.0 * at::eye(3, at::kDouble);
  periodic.pbc = {true, true, true};
  const auto& water = structures[4].structure;
  std::vector<const data::Structure*> list{&periodic, &water, &structures[1].structure};
  return graph_of(list, cutoff);
}

TEST(EcseChunkedGradients, EqualTheWholeGraphInManySmallChunks) {
  EQT_REQUIRE_SHARED(shared);
  auto model = ecse_pet(shared);
  const data::Graph graph = batch(shared, model->cutoff());
  for (const int64_t budget : {int64_t{7}, int64_t{40}, int64_t{0}}) {
    auto options = model->options();
    options.max_atoms_per_call = budget;
    models::ecse::EcseModel chunked(models::pet::load_pet_reference(pet_reference_dir(shared)).model, nullptr,
                                    options);
    expect_chunked_equals_whole(chunked, graph);
  }
}

TEST(EcseChunkedGradients, EqualTheWholeGraphWithAFallback) {
  EQT_REQUIRE_SHARED(shared);
  auto base = ecse_pet(shared);
  auto options = base->options();
  options.max_atoms_per_call = 5;
  models::ecse::EcseModel model(models::pet::load_pet_reference(pet_reference_dir(shared)).model,
                                models::pet::load_pet_reference(pet_reference_dir(shared)).model, options);
  // A bent and a nearly linear triatomic: the second has (almost) no frame, the fallback weighs in.
  const auto bent = data::make_structure({8, 1, 1}, at::tensor({0.0, 0.0, 0.0, 0.96, 0.0, 0.0, -0.3, 0.9, 0.0},
                                                               at::kDouble).view({3, 3}));
  const auto linear = data::make_structure({8, 1, 1}, at::tensor({0.0, 0.0, 0.0, 0.96, 0.0, 0.0, -0.96, 0.05, 0.0},
                                                                 at::kDouble).view({3, 3}));
  const data::Graph graph = graph_of({&bent, &linear}, model.cutoff());
  expect_chunked_equals_whole(model, graph);
  EXPECT_GT(model.last_diagnostics().weight_aux[1].item<double>(), 0.0);
}

TEST(EcseChunkedGradients, ChunksRespectTheAtomBudget) {
  // Frames of structures with 3, 5 and 2 atoms.
  const at::Tensor ptr = at::tensor({0, 3, 8, 10}, at::kLong);
  const at::Tensor structure = at::tensor({0, 0, 1, 1, 1, 2, 2}, at::kLong);
  using V = std::vector<int64_t>;
  EXPECT_EQ(models::ecse::frame_chunks(structure, ptr, 0, 0), (V{0, 7}));
  EXPECT_EQ(models::ecse::frame_chunks(structure, ptr, 0, 8), (V{0, 2, 3, 4, 6, 7}));  // 3+3 | 5 | 5 | 5+2 | 2
  EXPECT_EQ(models::ecse::frame_chunks(structure, ptr, 2, 0), (V{0, 2, 4, 6, 7}));
  EXPECT_EQ(models::ecse::frame_chunks(structure, ptr, 0, 1), (V{0, 1, 2, 3, 4, 5, 6, 7}));  // at least one frame
  EXPECT_EQ(models::ecse::frame_chunks(structure.slice(0, 0, 0), ptr, 0, 8), (V{0}));
}

}  // namespace
}  // namespace eqt::testing
