// The IS2RS auxiliary-loss weight schedule (auxiliary_weight.h): 15 decaying linearly to 1 over
// the run, the official trainer's rule, checked at the first, a middle and the last step against
// values worked out by hand here.
#include <gtest/gtest.h>

#include "eqt/train/auxiliary_weight.h"

namespace eqt::testing {
namespace {

using train::auxiliary_weight;

TEST(AuxiliaryWeight, DecaysLinearlyFromFifteenToOneOverTheRun) {
  const int64_t total = 100;
  // Step 0 (nothing done yet) is the official step 1: 15 - 14 * 1/100.
  EXPECT_DOUBLE_EQ(auxiliary_weight(15.0, 1.0, 0, total), 14.86);
  // Half way: the 50th step taken (49 done) is 15 - 14 * 50/100 = 8.
  EXPECT_DOUBLE_EQ(auxiliary_weight(15.0, 1.0, 49, total), 8.0);
  // The last step reaches the final weight, and it stays there (a resumed run past the end).
  EXPECT_DOUBLE_EQ(auxiliary_weight(15.0, 1.0, total - 1, total), 1.0);
  EXPECT_DOUBLE_EQ(auxiliary_weight(15.0, 1.0, 5 * total, total), 1.0);
  // Linear: equal steps lower it by equal amounts, 14 / 100 each.
  EXPECT_NEAR(auxiliary_weight(15.0, 1.0, 10, total) - auxiliary_weight(15.0, 1.0, 11, total), 0.14, 1e-12);
}

TEST(AuxiliaryWeight, OtherEndsAndAFinalWeightAboveTheInitialOne) {
  // 4 -> 2 over 8 steps: step 4 done (5th taken) is 4 - 2 * 5/8 = 2.75.
  EXPECT_DOUBLE_EQ(auxiliary_weight(4.0, 2.0, 4, 8), 2.75);
  // The official max(0, w0 - floor): a weight already below the floor stays where it is.
  EXPECT_DOUBLE_EQ(auxiliary_weight(0.5, 1.0, 0, 8), 0.5);
  EXPECT_DOUBLE_EQ(auxiliary_weight(0.5, 1.0, 7, 8), 0.5);
  // Constant when initial == final.
  EXPECT_DOUBLE_EQ(auxiliary_weight(3.0, 3.0, 3, 8), 3.0);
}

}  // namespace
}  // namespace eqt::testing
