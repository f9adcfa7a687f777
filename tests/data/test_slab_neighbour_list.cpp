// The OC20 graph rule (data/slab_neighbour_list.h): the exact edge lists the official OC20
// Equiformer references were given, and the rule's properties on structures built to stress them
// (truncation to the nearest, self-images, no images along a3 below 20 A).
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/data/slab_neighbour_list.h"
#include "support/oc20_reference.h"
#include "support/reference.h"

namespace eqt::data {
namespace {

using SlabEdgeKey = std::array<int64_t, 5>;  // i, j, S

std::vector<SlabEdgeKey> slab_edge_keys(const NeighbourList& nl) {
  std::vector<SlabEdgeKey> out;
  const auto i = nl.centres.accessor<int64_t, 1>();
  const auto j = nl.neighbours.accessor<int64_t, 1>();
  const auto s = nl.shifts.accessor<int64_t, 2>();
  for (int64_t e = 0; e < nl.size(); ++e) out.push_back({i[e], j[e], s[e][0], s[e][1], s[e][2]});
  return out;
}

// Squared length of edge k's vector positions[j] + S @ cell - positions[i].
double slab_squared_length(const Structure& s, const SlabEdgeKey& k) {
  const at::Tensor shift = at::tensor({k[2], k[3], k[4]}, at::kDouble);
  const at::Tensor v = s.positions[k[1]] + at::matmul(shift, s.cell) - s.positions[k[0]];
  return v.dot(v).item<double>();
}

// Random atoms in a small triclinic cell whose third vector is SHORT (3 A), so that images along
// it lie well within typical radii: exactly what the OC20 rule must ignore below 20 A.
Structure slab_short_c_structure(int64_t n, uint64_t seed) {
  const at::Tensor cell = at::tensor({4.1, 0.0, 0.0, 1.2, 3.9, 0.0, 0.4, -0.3, 3.0}, at::kDouble).reshape({3, 3});
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const at::Tensor frac = at::rand({n, 3}, gen, at::kDouble);
  return make_structure(std::vector<int64_t>(static_cast<std::size_t>(n), 29), at::matmul(frac, cell), cell,
                        {true, true, true});
}

TEST(SlabNeighbourList, ReproducesTheOfficialEdgeListsInOrder) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = testing::load_oc20_structures(shared);
  ASSERT_EQ(structures.size(), 6u);
  for (const auto& r : structures) {
    SCOPED_TRACE(r.name);
    const NeighbourList nl = slab_neighbour_list(r.structure, {6.0, 50});
    ASSERT_GT(r.graph.size(), 0);
    ASSERT_EQ(nl.size(), r.graph.size());
    EXPECT_TRUE(at::equal(nl.centres, r.graph.centres));
    EXPECT_TRUE(at::equal(nl.neighbours, r.graph.neighbours));
    EXPECT_TRUE(at::equal(nl.shifts, r.graph.shifts));
    // As sets too (a weaker statement, but the one the model's outputs depend on beyond rounding).
    const auto ours = slab_edge_keys(nl), theirs = slab_edge_keys(r.graph);
    EXPECT_EQ(std::set<SlabEdgeKey>(ours.begin(), ours.end()), std::set<SlabEdgeKey>(theirs.begin(), theirs.end()));
  }
}

TEST(SlabNeighbourList, KeepsTheNearestMaxNeighboursOfEachCentre) {
  EQT_REQUIRE_SHARED(shared);
  int64_t truncated_total = 0;
  for (const auto& r : testing::load_oc20_structures(shared)) {
    SCOPED_TRACE(r.name);
    const auto full = slab_edge_keys(slab_neighbour_list(r.structure, {6.0, 0}));
    const auto kept = slab_edge_keys(slab_neighbour_list(r.structure, {6.0, 50}));
    const std::set<SlabEdgeKey> kept_set(kept.begin(), kept.end());
    std::map<int64_t, std::vector<double>> kept_d, dropped_d;
    for (const SlabEdgeKey& k : full) (kept_set.count(k) ? kept_d : dropped_d)[k[0]].push_back(slab_squared_length(r.structure, k));
    EXPECT_EQ(kept_set.size(), kept.size());
    int64_t truncated = 0;
    for (int64_t i = 0; i < r.structure.num_atoms(); ++i) {
      const auto& in = kept_d[i];
      if (dropped_d.count(i) == 0) continue;  // at most 50 candidates: all kept
      ++truncated;
      EXPECT_EQ(in.size(), 50u) << "centre " << i;
      EXPECT_LT(*std::max_element(in.begin(), in.end()),
                *std::min_element(dropped_d[i].begin(), dropped_d[i].end()))
          << "centre " << i << " dropped a nearer candidate";
    }
    EXPECT_EQ(truncated, r.atoms_truncated);
    truncated_total += truncated;
    // Every kept edge is a candidate of the untruncated list.
    const std::set<SlabEdgeKey> full_set(full.begin(), full.end());
    for (const SlabEdgeKey& k : kept) EXPECT_TRUE(full_set.count(k));
  }
  EXPECT_GT(truncated_total, 0) << "the references must exercise the truncation";
}

TEST(SlabNeighbourList, KeepsSelfImagesButNotTheAtomItself) {
  EQT_REQUIRE_SHARED(shared);
  int64_t self_images = 0;
  for (const auto& r : testing::load_oc20_structures(shared)) {
    for (const SlabEdgeKey& k : slab_edge_keys(slab_neighbour_list(r.structure, {6.0, 50}))) {
      if (k[0] != k[1]) continue;
      EXPECT_FALSE(k[2] == 0 && k[3] == 0 && k[4] == 0) << r.name << ": atom " << k[0] << " is its own neighbour";
      ++self_images;
    }
  }
  EXPECT_EQ(self_images, 52) << "au111_oh_fcc has 52 self-image edges (README)";
  // One atom in a 2.5 A square cell: its only neighbours are its own in-plane images.
  const at::Tensor cell = at::tensor({2.5, 0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 30.0}, at::kDouble).reshape({3, 3});
  const Structure one = make_structure({1}, at::zeros({1, 3}, at::kDouble), cell, {true, true, true});
  const auto edges = slab_edge_keys(slab_neighbour_list(one, {3.6, 0}));
  // |n1|, |n2| <= 1 within 3.6 A (2.5 * sqrt(2) = 3.54), 8 images.
  EXPECT_EQ(edges.size(), 8u);
  for (const SlabEdgeKey& k : edges) EXPECT_EQ(k[4], 0);
}

// Below 20 A the rule is ASE's with pbc (T, T, F) and an inclusive radius; from 20 A on, ASE's
// with full pbc. Short-c cells put c-images well within the radius, so the difference shows.
TEST(SlabNeighbourList, TakesThirdAxisImagesOnlyFromTwentyAngstrom) {
  const Structure s = slab_short_c_structure(6, 7);
  for (const double radius : {3.5, 6.0, 19.99}) {
    SCOPED_TRACE(radius);
    const auto slab = slab_edge_keys(slab_neighbour_list(s, {radius, 0}));
    const auto in_plane = slab_edge_keys(neighbour_list(s.positions, s.cell, {true, true, false}, radius));
    const auto full = slab_edge_keys(neighbour_list(s.positions, s.cell, {true, true, true}, radius));
    ASSERT_GT(slab.size(), 0u);
    EXPECT_EQ(slab, in_plane);  // the same order too: i, j, S lexicographic
    EXPECT_GT(full.size(), slab.size()) << "the test cell must have c-images in range";
    for (const SlabEdgeKey& k : slab) EXPECT_EQ(k[4], 0);
  }
  const auto slab20 = slab_edge_keys(slab_neighbour_list(s, {20.0, 0}));
  const auto full20 = slab_edge_keys(neighbour_list(s.positions, s.cell, {true, true, true}, 20.0));
  EXPECT_EQ(slab20, full20);
  EXPECT_TRUE(std::any_of(slab20.begin(), slab20.end(), [](const SlabEdgeKey& k) { return k[4] != 0; }));
}

TEST(SlabNeighbourList, RejectsBadInput) {
  const Structure s = slab_short_c_structure(3, 1);
  EXPECT_THROW(slab_neighbour_list(s, {0.0, 50}), Error);
  EXPECT_THROW(slab_neighbour_list(s, {-1.0, 50}), Error);
  EXPECT_THROW(slab_neighbour_list(s.positions, at::zeros({3, 3}, at::kDouble), {6.0, 50}), Error);
  EXPECT_THROW(slab_neighbour_list(s.positions, at::Tensor(), {6.0, 50}), Error);
  at::Tensor bad = s.positions.clone();
  bad[1][2] = std::nan("");
  EXPECT_THROW(slab_neighbour_list(bad, s.cell, {6.0, 50}), Error);
}

}  // namespace
}  // namespace eqt::data
