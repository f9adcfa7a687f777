// The error statistics of `eqt eval` against hand-computed values, and their JSON / CSV forms.
#include <gtest/gtest.h>

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/train/evaluation_metrics.h"
#include "eqt/train/metrics_report.h"

namespace eqt::testing {
namespace {

TEST(ErrorStatistics, MaeRmseAndMaxOfKnownErrors) {
  train::ErrorStatistics s;
  // errors 0, 1, -3, 2: |e| sum 6, e^2 sum 14
  s.add(at::tensor({1.0, 2.0, -2.0}, at::kDouble), at::tensor({1.0, 1.0, 1.0}, at::kDouble));
  s.add(5.0, 3.0);
  EXPECT_EQ(s.count(), 4);
  EXPECT_DOUBLE_EQ(s.mae(), 6.0 / 4.0);
  EXPECT_DOUBLE_EQ(s.rmse(), std::sqrt(14.0 / 4.0));
  EXPECT_DOUBLE_EQ(s.max_abs(), 3.0);
}

TEST(ErrorStatistics, EmptyIsNaNAndShapesMustAgreeInSize) {
  train::ErrorStatistics s;
  EXPECT_TRUE(std::isnan(s.mae()));
  EXPECT_TRUE(std::isnan(s.rmse()));
  // [2, 3] against [6]: same number of values, compared element by element.
  s.add(at::ones({2, 3}, at::kDouble), at::zeros({6}, at::kFloat));
  EXPECT_DOUBLE_EQ(s.mae(), 1.0);
  EXPECT_THROW(s.add(at::ones({2}, at::kDouble), at::ones({3}, at::kDouble)), Error);
}

TEST(EvaluationMetrics, TargetsKeepOrderUnitsAndParityPairs) {
  train::EvaluationMetrics m;
  m.add("energy", "eV", "structure", at::scalar_tensor(1.5, at::kDouble), at::scalar_tensor(1.0, at::kDouble));
  m.add("forces", "eV/A", "component", at::full({2, 3}, 0.5, at::kDouble), at::zeros({2, 3}, at::kDouble));
  m.add("energy", "eV", "structure", at::scalar_tensor(-1.0, at::kDouble), at::scalar_tensor(0.0, at::kDouble));
  m.count_structure(2);
  m.count_structure(3);
  ASSERT_EQ(m.targets().size(), 2u);
  EXPECT_EQ(m.targets()[0].name, "energy");
  const auto* energy = m.find("energy");
  ASSERT_NE(energy, nullptr);
  EXPECT_DOUBLE_EQ(energy->errors.mae(), 0.75);
  EXPECT_DOUBLE_EQ(energy->errors.rmse(), std::sqrt((0.25 + 1.0) / 2));
  EXPECT_EQ(energy->reference, (std::vector<double>{1.0, 0.0}));
  EXPECT_EQ(energy->predicted, (std::vector<double>{1.5, -1.0}));
  EXPECT_EQ(m.find("forces")->reference.size(), 6u);
  EXPECT_EQ(m.find("dipole"), nullptr);
  EXPECT_EQ(m.structures(), 2);
  EXPECT_EQ(m.atoms(), 5);
}

TEST(EvaluationMetrics, VectorTargetsCountEveryComponent) {
  train::EvaluationMetrics m;
  // Two dipoles: errors (1, 0, 0) and (0, 2, -2).
  m.add("dipole", "", "component", at::tensor({1.0, 0.0, 0.0}, at::kDouble), at::zeros({3}, at::kDouble));
  m.add("dipole", "", "component", at::tensor({0.0, 3.0, -1.0}, at::kDouble), at::tensor({0.0, 1.0, 1.0}, at::kDouble));
  const auto& e = m.find("dipole")->errors;
  EXPECT_EQ(e.count(), 6);
  EXPECT_DOUBLE_EQ(e.mae(), 5.0 / 6.0);
  EXPECT_DOUBLE_EQ(e.rmse(), std::sqrt(9.0 / 6.0));
}

TEST(MetricsReport, JsonAndCsvCarryTheSameNumbers) {
  train::EvaluationMetrics m;
  m.add("forces", "eV/A", "component", at::tensor({0.1, -0.2}, at::kDouble), at::tensor({0.0, 0.0}, at::kDouble));
  m.count_structure(1);
  const auto json = train::metrics_json(m, {"model_dir", "in.xyz", "float64"});
  EXPECT_EQ(json["model"], "model_dir");
  EXPECT_EQ(json["structures"], 1);
  EXPECT_DOUBLE_EQ(json["metrics"]["forces"]["mae"].get<double>(), 0.15000000000000002);
  EXPECT_DOUBLE_EQ(json["metrics"]["forces"]["rmse"].get<double>(), std::sqrt(0.05 / 2));
  EXPECT_EQ(json["metrics"]["forces"]["count"], 2);
  const std::string csv = train::metrics_csv(m);
  EXPECT_EQ(csv, fmt::format("target,unit,per,count,mae,rmse,max_abs\nforces,eV/A,component,2,{:.17g},{:.17g},{:.17g}\n",
                             (0.1 + 0.2) / 2, std::sqrt((0.01 + 0.04) / 2), 0.2));
  const std::string table = train::metrics_table(m);
  EXPECT_NE(table.find("meV/A"), std::string::npos) << table;
  EXPECT_NE(table.find("150"), std::string::npos) << table;
}

TEST(MetricsReport, EmptyTargetIsNullInJson) {
  train::EvaluationMetrics m;
  m.add("x", "", "structure", at::zeros({0}, at::kDouble), at::zeros({0}, at::kDouble));
  EXPECT_TRUE(train::metrics_json(m, {})["metrics"]["x"]["mae"].is_null());
}

}  // namespace
}  // namespace eqt::testing
