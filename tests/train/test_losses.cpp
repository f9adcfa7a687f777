#include <gtest/gtest.h>

#include "eqt/train/losses.h"

namespace eqt::train {
namespace {

TEST(TrainLosses, MseL1AndHuberMatchTheirFormulas) {
  const at::Tensor e = at::tensor({-3.0, -0.5, 0.0, 0.25, 2.0}, at::kDouble);
  // Hand-computed: squares 9, 0.25, 0, 0.0625, 4 -> mean 13.3125 / 5.
  EXPECT_DOUBLE_EQ(loss_value(LossKind::Mse, e, 1.0).item<double>(), 13.3125 / 5);
  EXPECT_DOUBLE_EQ(loss_value(LossKind::L1, e, 1.0).item<double>(), 5.75 / 5);
  // Huber, delta 1: |e| > 1 -> |e| - 0.5 (2.5, 1.5); else e^2 / 2 (0.125, 0, 0.03125).
  EXPECT_DOUBLE_EQ(loss_value(LossKind::Huber, e, 1.0).item<double>(), (2.5 + 0.125 + 0.0 + 0.03125 + 1.5) / 5);
  // delta 0.5: |e| > 0.5 -> 0.5 (|e| - 0.25): 1.375, 0.875; |e| <= 0.5: 0.125, 0, 0.03125.
  EXPECT_DOUBLE_EQ(loss_value(LossKind::Huber, e, 0.5).item<double>(), (1.375 + 0.125 + 0.0 + 0.03125 + 0.875) / 5);
}

TEST(TrainLosses, HuberGradientIsContinuousAtDelta) {
  for (double x : {0.999999, 1.000001}) {
    at::Tensor e = at::tensor({x}, at::kDouble).requires_grad_(true);
    loss_value(LossKind::Huber, e, 1.0).backward();
    EXPECT_NEAR(e.grad().item<double>(), 1.0, 1e-5);
  }
}

}  // namespace
}  // namespace eqt::train
