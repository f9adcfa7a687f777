// PET one GNN layer at a time (PetSteps): on a whole periodic graph, where every atom is a centre
// and each row is read back as its own exchanged copy, the steps give forward()'s atomic energies,
// for the architectural switches that change what a layer reads or writes (central tokens, bond
// energies, pooling, central-specific layers and heads, blended species, compress modes).
#include <gtest/gtest.h>

#include "eqt/data/batch.h"
#include "eqt/models/pet/exchange_rows.h"
#include "eqt/models/pet/pet_model.h"
#include "eqt/models/pet/pet_steps.h"
#include "models/equiformer_fixtures.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

std::shared_ptr<models::pet::PetModel> pet_with(const nlohmann::json& changes) {
  const RandomPetSpec spec{{13, 29}, 3.0, 3, 11};
  nlohmann::json hypers = random_pet_hypers(spec);
  hypers.update(changes);
  at::manual_seed(spec.seed);
  auto model = std::make_shared<models::pet::PetModel>(models::pet::parse_pet_hypers(hypers), spec.species, at::kDouble);
  at::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.add_(spec.perturbation * at::randn_like(p));
  model->eval();
  return model;
}

// The steps with the identity exchange (each row is its own copy) -> atomic energies [N].
at::Tensor stepwise_energies(models::Model& model, const data::Graph& graph) {
  const auto shape = model.message_passing_shape();
  const auto steps = model.message_passing(graph, graph.edge_vectors(), graph.num_atoms());
  EXPECT_NE(steps, nullptr);
  EXPECT_EQ(steps->num_steps(), shape.steps);
  at::Tensor features;
  for (int64_t k = 0; k < steps->num_steps(); ++k) features = steps->step(k, features);
  return steps->atomic_energies(features);
}

TEST(PetSteps, WholeGraphStepsEqualForward) {
  const data::Structure crystal = distorted_fcc();
  const std::vector<nlohmann::json> variants = {
      nlohmann::json::object(),
      {{"ADD_TOKEN_FIRST", false}, {"ADD_TOKEN_SECOND", false}, {"AVERAGE_POOLING", true}},
      {{"USE_BOND_ENERGIES", false}, {"ADD_TOKEN_SECOND", false}},
      {{"AVERAGE_BOND_ENERGIES", true}, {"BLEND_NEIGHBOR_SPECIES", true}, {"COMPRESS_MODE", "linear"}},
      {{"TRANSFORMERS_CENTRAL_SPECIFIC", true}, {"HEADS_CENTRAL_SPECIFIC", true}, {"RESIDUAL_FACTOR", 0.7}},
      {{"R_EMBEDDING_ACTIVATION", true}, {"USE_LENGTH", false}, {"TRANSFORMER_TYPE", "PreLN"}},
  };
  for (const auto& variant : variants) {
    const auto model = pet_with(variant);
    const data::Graph graph = data::collate({&crystal}, model->cutoff(), at::kDouble);
    const at::Tensor expected = model->forward(graph).at("atomic_energies");
    const at::Tensor atomic = stepwise_energies(*model, graph);
    EXPECT_LT(max_abs_diff(atomic, expected), 1e-12) << variant.dump();
    EXPECT_GT(expected.abs().max().item<double>(), 1e-3) << variant.dump();
  }
}

TEST(PetSteps, RowsHoldEachNeighboursMessageAtItsDisplacement) {
  const data::Structure crystal = distorted_fcc();
  const auto model = pet_with(nlohmann::json::object());
  const data::Graph graph = data::collate({&crystal}, model->cutoff(), at::kDouble);
  const auto shape = model->message_passing_shape();
  EXPECT_EQ(shape.steps, 3);
  EXPECT_TRUE(shape.width_varies);
  const auto steps = model->message_passing(graph, graph.edge_vectors(), graph.num_atoms());
  const at::Tensor rows = steps->step(0, at::Tensor());
  // One slot per neighbour of the atom with the most: 1 + K x (3 + D) columns.
  const int64_t d = model->hypers().d_model;
  const int64_t neighbours = at::bincount(graph.edge_index[0]).max().item<int64_t>();
  EXPECT_GE(neighbours, 12);  // distorted fcc, nearest neighbours 2.55 A apart, cutoff 3 A
  EXPECT_EQ(rows.size(1), 1 + neighbours * (3 + d));
  // Every edge finds exactly one slot in its neighbour's row, and its displacement is -r.
  const at::Tensor displacements = models::pet::row_displacements(rows, d);
  const at::Tensor slots = models::pet::incoming_slots(displacements, graph.edge_index, graph.edge_vectors(),
                                                       model->cutoff(), 1e-8);
  ASSERT_TRUE((slots >= 0).all().item<bool>());
  const at::Tensor found = displacements.reshape({-1, 3}).index_select(0, slots);
  EXPECT_LT(max_abs_diff(found, -graph.edge_vectors()), 1e-14);
}

TEST(PetSteps, AMissingMessageIsZeroAtTheCutoffAndAnErrorInside) {
  // Atom 1's row (one slot, displacement (-2, 0, 0)) holds no message for atom 0 at +-2.5 A.
  at::Tensor displacements = at::zeros({2, 1, 3}, at::kDouble);
  displacements[1][0][0] = -2.0;
  const at::Tensor edge_index = at::tensor({int64_t(0), int64_t(1)}, at::kLong).view({2, 1});
  const at::Tensor at_cutoff = at::tensor({3.0 - 1e-12, 0.0, 0.0}, at::kDouble).view({1, 3});
  EXPECT_EQ(models::pet::incoming_slots(displacements, edge_index, at_cutoff, 3.0, 1e-8)[0].item<int64_t>(), -1);
  const at::Tensor inside = at::tensor({2.5, 0.0, 0.0}, at::kDouble).view({1, 3});
  EXPECT_THROW(models::pet::incoming_slots(displacements, edge_index, inside, 3.0, 1e-8), std::runtime_error);
  const at::Tensor matching = at::tensor({2.0 + 1e-10, 0.0, 0.0}, at::kDouble).view({1, 3});
  EXPECT_EQ(models::pet::incoming_slots(displacements, edge_index, matching, 3.0, 1e-8)[0].item<int64_t>(), 1);
}

}  // namespace
}  // namespace eqt::testing
