#include <gtest/gtest.h>

#include <cmath>

#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/train/schedule.h"
#include "eqt/train/weights.h"
#include "tiny_equiformer.h"

namespace eqt::train {
namespace {

TEST(TrainSchedule, WarmupThenCosine) {
  ScheduleSettings s;
  s.kind = "cosine";
  s.lr = 1e-3;
  s.warmup_steps = 10;
  s.total_steps = 110;
  s.min_lr_factor = 0.1;
  const LrSchedule schedule(s);
  EXPECT_DOUBLE_EQ(schedule.lr_at(0), 1e-4);
  EXPECT_DOUBLE_EQ(schedule.lr_at(4), 5e-4);
  EXPECT_DOUBLE_EQ(schedule.lr_at(10), 1e-3);
  // Half-way through the cosine: lr (m + (1 - m) / 2).
  EXPECT_NEAR(schedule.lr_at(60), 1e-3 * (0.1 + 0.9 * 0.5), 1e-15);
  EXPECT_NEAR(schedule.lr_at(35), 1e-3 * (0.1 + 0.9 * 0.5 * (1 + std::cos(M_PI * 0.25))), 1e-15);
  EXPECT_NEAR(schedule.lr_at(110), 1e-4, 1e-15);
  EXPECT_NEAR(schedule.lr_at(500), 1e-4, 1e-15);
}

TEST(TrainSchedule, PlateauReducesAfterPatienceAndRoundTripsItsState) {
  ScheduleSettings s;
  s.kind = "plateau";
  s.lr = 1.0;
  s.plateau_factor = 0.5;
  s.plateau_patience = 2;
  s.min_lr_factor = 0.2;
  LrSchedule schedule(s);
  schedule.on_validation(1.0);
  schedule.on_validation(1.1);
  schedule.on_validation(1.2);
  EXPECT_DOUBLE_EQ(schedule.lr_at(100), 1.0);  // two bad validations: still patient
  schedule.on_validation(1.3);
  EXPECT_DOUBLE_EQ(schedule.lr_at(100), 0.5);
  LrSchedule copy(s);
  copy.load_state(schedule.state());
  for (int i = 0; i < 3; ++i) copy.on_validation(2.0);
  EXPECT_DOUBLE_EQ(copy.lr_at(0), 0.25);
  for (int i = 0; i < 3; ++i) copy.on_validation(2.0);
  EXPECT_DOUBLE_EQ(copy.lr_at(0), 0.2);  // floored at min_lr_factor
  copy.on_validation(0.5);               // improvement resets the count but not the rate
  EXPECT_DOUBLE_EQ(copy.lr_at(0), 0.2);
}

TEST(TrainSchedule, EmaDecayAndUpdateFollowTheFormula) {
  EXPECT_DOUBLE_EQ(ema_decay_at(0.99, 0), 0.1);
  EXPECT_DOUBLE_EQ(ema_decay_at(0.99, 8), 0.5);
  EXPECT_DOUBLE_EQ(ema_decay_at(0.99, 100000), 0.99);
  const auto c = eqt::testing::tiny_equiformer_config();
  models::equiformer::EquiformerModel a(c, at::kDouble), b(c, at::kDouble);
  const auto pa = a.named_parameters(), pb = b.named_parameters();
  std::vector<at::Tensor> before;
  for (const auto& item : pb) before.push_back(item.value().detach().clone());
  ema_update(b, a, 0.75);
  std::size_t k = 0;
  for (const auto& item : pb) {
    const at::Tensor expected = 0.75 * before[k++] + 0.25 * pa[item.key()];
    EXPECT_TRUE(at::allclose(item.value(), expected, 0, 1e-15)) << item.key();
  }
  copy_weights(a, b);
  for (const auto& item : pb) EXPECT_TRUE(at::equal(item.value(), pa[item.key()]));
}

}  // namespace
}  // namespace eqt::train
