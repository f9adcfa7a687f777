#include <gtest/gtest.h>

#include <algorithm>

#include "eqt/train/batching.h"
#include "eqt/train/dataset.h"

namespace eqt::train {
namespace {

TEST(TrainBatching, EpochPermutationIsAReproduciblePermutation) {
  const auto a = epoch_permutation(50, 3, 7), b = epoch_permutation(50, 3, 7), c = epoch_permutation(50, 3, 8);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
}

TEST(TrainBatching, BatchesByStructuresOrAtoms) {
  const std::vector<int64_t> order{4, 0, 3, 1, 2};
  const std::vector<int64_t> atoms{5, 3, 2, 6, 1};
  const auto by_count = make_batches(order, atoms, 2, 0);
  ASSERT_EQ(by_count.size(), 3u);
  EXPECT_EQ(by_count[0], (Batch{4, 0}));
  EXPECT_EQ(by_count[2], (Batch{2}));
  // At most 7 atoms: {4 (1), 0 (5)} = 6; 3 (6) alone; {1 (3), 2 (2)} = 5.
  const auto by_atoms = make_batches(order, atoms, 100, 7);
  ASSERT_EQ(by_atoms.size(), 3u);
  EXPECT_EQ(by_atoms[0], (Batch{4, 0}));
  EXPECT_EQ(by_atoms[1], (Batch{3}));
  EXPECT_EQ(by_atoms[2], (Batch{1, 2}));
}

TEST(TrainBatching, RandomSplitIsDisjointCompleteAndSeeded) {
  const auto s = random_split(100, 0.1, 0.2, 5);
  EXPECT_EQ(s.val.size(), 10u);
  EXPECT_EQ(s.test.size(), 20u);
  EXPECT_EQ(s.train.size(), 70u);
  std::vector<int64_t> all;
  for (const auto* v : {&s.train, &s.val, &s.test}) all.insert(all.end(), v->begin(), v->end());
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(all[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(random_split(100, 0.1, 0.2, 5).val, s.val);
  EXPECT_NE(random_split(100, 0.1, 0.2, 6).val, s.val);
}

}  // namespace
}  // namespace eqt::train
