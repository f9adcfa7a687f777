// eqt eval's IS2RE / IS2RS figures (inference/relaxation_metrics.h) on hand-made cases whose
// answers are known: which atoms are free, nearest-image differences, distances, EwT and ADwT.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/inference/relaxation_metrics.h"
#include "eqt/models/output_names.h"

namespace eqt::inference {
namespace {

// Four atoms in a 10 x 10 x 30 A periodic cell: tags 0 (fixed), 1, 1, 2.
data::Structure oc20_tagged_slab() {
  const at::Tensor positions =
      at::tensor({1.0, 1.0, 10.0, 3.0, 1.0, 12.0, 5.0, 5.0, 12.0, 9.98, 5.0, 14.0}, at::kDouble).reshape({4, 3});
  const at::Tensor cell = at::diag(at::tensor({10.0, 10.0, 30.0}, at::kDouble));
  data::Structure s = data::make_structure({29, 29, 29, 8}, positions, cell, {true, true, true});
  s.arrays["tags"] = at::tensor({0, 1, 1, 2}, at::kLong);
  s.arrays["pos_relaxed"] = positions.clone();
  return s;
}

// LibTorch 1.13 has no at::tensor of oc20_bools: build them from integers.
at::Tensor oc20_bools(std::vector<int64_t> values) { return at::tensor(values, at::kLong).to(at::kBool); }

TEST(RelaxationMetrics, FreeAtomsFromTagsFixedOrMoveMask) {
  data::Structure s = oc20_tagged_slab();
  EXPECT_TRUE(at::equal(free_atoms(s), oc20_bools({0, 1, 1, 1})));
  s.arrays.erase("tags");
  s.arrays["fixed"] = at::tensor({1, 1, 0, 0}, at::kLong);
  EXPECT_TRUE(at::equal(free_atoms(s), oc20_bools({0, 0, 1, 1})));
  s.arrays.erase("fixed");
  s.arrays["move_mask"] = oc20_bools({0, 0, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0}).reshape({4, 3});
  EXPECT_TRUE(at::equal(free_atoms(s), oc20_bools({0, 1, 1, 0})));
  s.arrays.erase("move_mask");
  EXPECT_TRUE(free_atoms(s).all().item<bool>());
}

TEST(RelaxationMetrics, DistancesOfFreeAtomsToTheNearestImage) {
  const data::Structure s = oc20_tagged_slab();
  StructurePrediction p;
  // Fixed atom far off (ignored); 0.01 A, 0.31 A, and 9.95 A = -0.05 A through the x period.
  const at::Tensor offsets =
      at::tensor({5.0, 5.0, 5.0, 0.01, 0.0, 0.0, 0.0, 0.31, 0.0, 0.0, 0.0, 0.0}, at::kDouble).reshape({4, 3});
  at::Tensor predicted = s.arrays.at("pos_relaxed") + offsets;
  predicted[3][0] = predicted[3][0] - 10.05;  // the label's image + (-0.05, 0, 0)
  p.per_atom[models::kRelaxedPositionsOutput] = predicted;
  train::EvaluationMetrics metrics;
  ASSERT_TRUE(compare_relaxation(s, p, "pos_relaxed", "test", metrics));
  const auto* positions = metrics.find(models::kRelaxedPositionsOutput);
  ASSERT_NE(positions, nullptr);
  EXPECT_EQ(positions->errors.count(), 9);  // three free atoms
  EXPECT_NEAR(positions->errors.mae(), (0.01 + 0.31 + 0.05) / 9, 1e-12);
  const nlohmann::json summary = relaxation_summary(metrics);
  EXPECT_NEAR(summary.at("mean_distance").get<double>(), (0.01 + 0.31 + 0.05) / 3, 1e-12);
  const auto& within = summary.at("atoms_within");
  EXPECT_NEAR(within.at("0.02").get<double>(), 1.0 / 3, 1e-12);
  EXPECT_NEAR(within.at("0.1").get<double>(), 2.0 / 3, 1e-12);
  EXPECT_NEAR(within.at("0.5").get<double>(), 1.0, 1e-12);
  // One structure with mean distance 0.1233 A: the thresholds 0.124 ... 0.499 count, 376 of 490.
  EXPECT_NEAR(summary.at("adwt").get<double>(), 376.0 / 490.0, 1e-12);
  EXPECT_FALSE(summary.contains("energy_ewt"));
  EXPECT_NE(relaxation_summary_text(summary).find("ADwT"), std::string::npos);
}

TEST(RelaxationMetrics, EnergyWithinThreshold) {
  train::EvaluationMetrics metrics;
  metrics.add("energy", "eV", "structure", at::tensor({0.01, 1.03, -0.019, 0.5}, at::kDouble),
              at::tensor({0.0, 1.0, 0.0, 0.0}, at::kDouble));
  const nlohmann::json summary = relaxation_summary(metrics);
  EXPECT_NEAR(summary.at("energy_ewt").get<double>(), 0.5, 1e-12);
  EXPECT_NEAR(summary.at("energy_mae").get<double>(), (0.01 + 0.03 + 0.019 + 0.5) / 4, 1e-12);
  EXPECT_FALSE(summary.contains("adwt"));
}

TEST(RelaxationMetrics, MissingOrMisshapenLabels) {
  data::Structure s = oc20_tagged_slab();
  StructurePrediction p;
  train::EvaluationMetrics metrics;
  EXPECT_FALSE(compare_relaxation(s, p, "pos_relaxed", "test", metrics));  // no prediction
  p.per_atom[models::kRelaxedPositionsOutput] = s.positions.clone();
  EXPECT_FALSE(compare_relaxation(s, p, "elsewhere", "test", metrics));  // no label
  EXPECT_TRUE(metrics.targets().empty());
  s.arrays["pos_relaxed"] = at::zeros({4, 2}, at::kDouble);
  EXPECT_THROW(compare_relaxation(s, p, "pos_relaxed", "test", metrics), Error);
}

}  // namespace
}  // namespace eqt::inference
