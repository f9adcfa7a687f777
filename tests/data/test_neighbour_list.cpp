// Properties of eqt's neighbour list that need no reference: input validation, symmetry,
// invariance under moving atoms by lattice vectors, thread-count independence.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <set>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/data/neighbour_list.h"

namespace eqt::data {
namespace {

using EdgeKey = std::array<int64_t, 5>;

const at::Tensor kSkewedCell =
    at::tensor({9.1, 0.0, 0.0, 2.3, 8.7, 0.0, -1.9, 1.4, 9.6}, at::kDouble).reshape({3, 3});

// Random atoms in the skewed cell, fractional coordinates in [low, high).
at::Tensor random_positions(int64_t n, double low, double high, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor frac = at::rand({n, 3}, gen, at::kDouble) * (high - low) + low;
  return at::matmul(frac, kSkewedCell);
}

std::vector<EdgeKey> keys(const NeighbourList& nl) {
  std::vector<EdgeKey> out;
  const auto i = nl.centres.accessor<int64_t, 1>();
  const auto j = nl.neighbours.accessor<int64_t, 1>();
  const auto s = nl.shifts.accessor<int64_t, 2>();
  for (int64_t e = 0; e < nl.size(); ++e) out.push_back({i[e], j[e], s[e][0], s[e][1], s[e][2]});
  return out;
}

TEST(NeighbourList, RejectsBadInput) {
  const at::Tensor positions = random_positions(5, 0, 1, 1);
  const std::array<bool, 3> periodic{true, true, true};
  EXPECT_THROW(neighbour_list(positions, kSkewedCell, periodic, 0.0), Error);
  EXPECT_THROW(neighbour_list(positions, kSkewedCell, periodic, -1.0), Error);
  EXPECT_THROW(neighbour_list(positions, kSkewedCell, periodic, std::nan("")), Error);
  at::Tensor bad = positions.clone();
  bad[2][1] = std::nan("");
  EXPECT_THROW(neighbour_list(bad, kSkewedCell, periodic, 5.0), Error);
  bad[2][1] = INFINITY;
  EXPECT_THROW(neighbour_list(bad, kSkewedCell, periodic, 5.0), Error);
  at::Tensor singular = kSkewedCell.clone();
  singular[2] = singular[0] * 2 - singular[1];
  EXPECT_THROW(neighbour_list(positions, singular, periodic, 5.0), Error);
  EXPECT_THROW(neighbour_list(positions, at::zeros({3, 3}, at::kDouble), periodic, 5.0), Error);
  at::Tensor parallel = kSkewedCell.clone();
  parallel[1] = parallel[0] * 0.5;  // a 2D-periodic slab whose two vectors are parallel
  EXPECT_THROW(neighbour_list(positions, parallel, {true, true, false}, 5.0), Error);
  // The same singular cells are harmless where the structure is not periodic along them.
  EXPECT_NO_THROW(neighbour_list(positions, singular, {false, false, false}, 5.0));
  EXPECT_NO_THROW(neighbour_list(positions, parallel, {true, false, false}, 5.0));
  EXPECT_THROW(neighbour_list(positions.reshape({15}), kSkewedCell, periodic, 5.0), Error);
  at::Tensor far = positions.clone();
  far[0] += kSkewedCell[1] * 1e9;  // a billion cells away: cannot be wrapped precisely
  EXPECT_THROW(neighbour_list(far, kSkewedCell, periodic, 5.0), Error);
}

TEST(NeighbourList, EveryEdgeHasItsReverse) {
  const NeighbourList nl =
      neighbour_list(random_positions(300, -0.5, 1.5, 2), kSkewedCell, {true, false, true}, 4.5);
  ASSERT_GT(nl.size(), 0);
  const std::vector<EdgeKey> edges = keys(nl);
  const std::set<EdgeKey> all(edges.begin(), edges.end());
  EXPECT_EQ(all.size(), edges.size()) << "duplicate edges";
  for (const EdgeKey& k : edges) {
    EXPECT_EQ(k[3], 0) << "shift along the open direction";
    EXPECT_TRUE(all.count({k[1], k[0], -k[2], -k[3], -k[4]})) << "missing reverse edge";
  }
}

// Moving atom a by the lattice vectors n_a changes S to S + n_i - n_j and nothing else.
TEST(NeighbourList, LatticeTranslationOnlyChangesShifts) {
  const int64_t n = 200;
  const at::Tensor positions = random_positions(n, 0, 1, 3);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
  const at::Tensor images = at::randint(-3, 4, {n, 3}, gen, at::kLong);
  const at::Tensor moved = positions + at::matmul(images.to(at::kDouble), kSkewedCell);
  const auto before = keys(neighbour_list(positions, kSkewedCell, {true, true, true}, 5.0));
  const auto after = keys(neighbour_list(moved, kSkewedCell, {true, true, true}, 5.0));
  ASSERT_EQ(before.size(), after.size());
  const auto img = images.accessor<int64_t, 2>();
  std::set<EdgeKey> expected;
  for (const EdgeKey& k : before) {
    EdgeKey t = k;
    for (int c = 0; c < 3; ++c) t[2 + c] = k[2 + c] + img[k[0]][c] - img[k[1]][c];
    expected.insert(t);
  }
  EXPECT_EQ(expected, std::set<EdgeKey>(after.begin(), after.end()));
}

TEST(NeighbourList, SameOutputForAnyThreadCount) {
  const at::Tensor positions = random_positions(3000, -0.2, 1.2, 5);
  const int saved = at::get_num_threads();
  at::set_num_threads(1);
  const NeighbourList one = neighbour_list(positions, kSkewedCell * 2, {true, true, true}, 3.5);
  at::set_num_threads(2);
  const NeighbourList two = neighbour_list(positions, kSkewedCell * 2, {true, true, true}, 3.5);
  at::set_num_threads(saved);
  ASSERT_GT(one.size(), 3000);
  EXPECT_TRUE(at::equal(one.centres, two.centres));
  EXPECT_TRUE(at::equal(one.neighbours, two.neighbours));
  EXPECT_TRUE(at::equal(one.shifts, two.shifts));
}

TEST(NeighbourList, AcceptsFloatPositionsAndNoCell) {
  const at::Tensor positions = random_positions(50, 0, 1, 6);
  const NeighbourList from_float =
      neighbour_list(positions.to(at::kFloat), at::Tensor(), {false, false, false}, 4.0);
  const NeighbourList from_double =
      neighbour_list(positions.to(at::kFloat).to(at::kDouble), at::zeros({3, 3}, at::kDouble),
                     {false, false, false}, 4.0);
  ASSERT_GT(from_float.size(), 0);
  EXPECT_TRUE(at::equal(from_float.centres, from_double.centres));
  EXPECT_TRUE(at::equal(from_float.neighbours, from_double.neighbours));
  EXPECT_EQ(from_float.shifts.abs().sum().item<int64_t>(), 0);
}

}  // namespace
}  // namespace eqt::data
