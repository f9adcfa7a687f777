// Equiformer one message-passing step at a time (EquiformerSteps): on a whole periodic graph, with
// nothing to exchange, the steps give forward()'s atomic energies; every layer-norm model has
// num_layers + 1 steps, graph and instance norms none.
#include <gtest/gtest.h>

#include "eqt/data/batch.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

TEST(EquiformerSteps, WholeGraphStepsEqualForward) {
  const data::Structure crystal = distorted_fcc();
  for (bool dot_product : {false, true}) {
    auto config = small_config();
    if (dot_product) {
      config.attention = models::equiformer::AttentionType::DotProduct;
      config.nonlinear_message = false;
    }
    at::manual_seed(5);
    models::equiformer::EquiformerModel model(config, at::kDouble);
    const data::Graph graph = data::collate({&crystal}, model.cutoff(), at::kDouble);
    const at::Tensor expected = model.forward(graph).at("atomic_energies");

    const auto shape = model.message_passing_shape();
    EXPECT_EQ(shape.steps, config.num_layers + 1);
    EXPECT_EQ(shape.max_exchanged_width, 16 + 8 * 3 + 4 * 5);
    const auto steps = model.message_passing(graph, graph.edge_vectors(), graph.num_atoms());
    ASSERT_NE(steps, nullptr);
    at::Tensor features;
    for (int64_t k = 0; k < steps->num_steps(); ++k) {
      features = steps->step(k, features);
      if (k + 1 < steps->num_steps()) EXPECT_EQ(features.size(1), shape.max_exchanged_width);
    }
    const at::Tensor atomic = steps->atomic_energies(features);
    EXPECT_LT(max_abs_diff(atomic, expected), 1e-12) << (dot_product ? "dot product" : "graph attention");
    EXPECT_GT(expected.abs().max().item<double>(), 1e-3);
  }
}

TEST(EquiformerSteps, NonLocalNormsHaveNoSteps) {
  for (const char* norm : {"graph", "instance"}) {
    auto config = small_config();
    config.norm_layer = norm;
    models::equiformer::EquiformerModel model(config, at::kDouble);
    EXPECT_EQ(model.message_passing_shape().steps, 0) << norm;
    const data::Structure crystal = distorted_fcc();
    const data::Graph graph = data::collate({&crystal}, model.cutoff(), at::kDouble);
    EXPECT_EQ(model.message_passing(graph, graph.edge_vectors(), graph.num_atoms()), nullptr) << norm;
  }
}

}  // namespace
}  // namespace eqt::testing
