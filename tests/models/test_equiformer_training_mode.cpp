// Attention dropout, projection dropout, drop path and output dropout act in training mode only.
#include <gtest/gtest.h>

#include "eqt/models/potential.h"
#include "equiformer_fixtures.h"

namespace eqt::testing {
namespace {

TEST(EquiformerTrainingMode, DropoutsOnlyInTraining) {
  auto config = small_config();
  config.alpha_drop = 0.5;
  config.proj_drop = 0.3;
  config.drop_path_rate = 0.3;
  config.out_drop = 0.3;
  models::equiformer::EquiformerModel model(config, at::kDouble);
  const auto graph = graph_of(distorted_fcc(), model.cutoff());
  ASSERT_FALSE(model.is_training());  // built in eval mode
  const auto a = models::evaluate(model, graph).energy;
  const auto b = models::evaluate(model, graph).energy;
  EXPECT_TRUE(at::equal(a, b));
  model.train();
  at::manual_seed(11);
  bool differs = false;
  for (int trial = 0; trial < 4 && !differs; ++trial) {
    differs = !at::allclose(models::evaluate(model, graph).energy, a, 1e-12, 1e-12);
  }
  EXPECT_TRUE(differs);
  model.eval();
  EXPECT_TRUE(at::equal(models::evaluate(model, graph).energy, a));
}

}  // namespace
}  // namespace eqt::testing
