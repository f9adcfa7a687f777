// data::GraphRule (which neighbour-list rule builds a model's graphs) and the OC20 per-atom tags
// that data::collate carries into Graph::tags.
#include <gtest/gtest.h>

#include <vector>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/graph_rule.h"
#include "eqt/data/slab_neighbour_list.h"

namespace eqt::data {
namespace {

// Two small copper slabs with a short third lattice vector (so the rules differ) and tags.
std::vector<Structure> oc20_tagged_slabs() {
  std::vector<Structure> out;
  for (int k = 0; k < 2; ++k) {
    const at::Tensor cell = at::tensor({3.6, 0.0, 0.0, 0.0, 3.6 + k, 0.0, 0.0, 0.0, 4.0}, at::kDouble).reshape({3, 3});
    const at::Tensor positions =
        at::tensor({0.0, 0.0, 0.0, 1.8, 1.8, 0.1, 1.8, 0.0, 1.9, 0.1, 1.7, 2.0}, at::kDouble).reshape({4, 3});
    Structure s = make_structure({29, 29, 29, 8}, positions, cell, {true, true, true});
    s.arrays["tags"] = at::tensor({0, 1, 1, 2}, at::kLong);
    out.push_back(s);
  }
  return out;
}

TEST(GraphRule, SlabRuleCollatesTheSlabListsAndAseRuleTheAseLists) {
  const auto slabs = oc20_tagged_slabs();
  const std::vector<const Structure*> both = {&slabs[0], &slabs[1]};
  const Graph slab = collate(both, GraphRule::slab(5.0, 12), at::kDouble);
  const Graph by_hand = collate(both, {slab_neighbour_list(slabs[0], {5.0, 12}), slab_neighbour_list(slabs[1], {5.0, 12})},
                                at::kDouble);
  ASSERT_GT(slab.num_edges(), 0);
  EXPECT_TRUE(at::equal(slab.edge_index, by_hand.edge_index));
  EXPECT_TRUE(at::equal(slab.cell_shifts, by_hand.cell_shifts));
  const Graph ase = collate(both, GraphRule::ase(5.0), at::kDouble);
  EXPECT_TRUE(at::equal(ase.edge_index, collate(both, 5.0, at::kDouble).edge_index));
  // The short c vector gives ASE's rule images along it; the slab rule has none, and truncates.
  EXPECT_GT(ase.num_edges(), slab.num_edges());
  EXPECT_TRUE(slab.cell_shifts.select(1, 2).eq(0).all().item<bool>());
  EXPECT_TRUE(at::equal(neighbour_list(slabs[1], GraphRule::slab(5.0, 12)).shifts,
                        slab_neighbour_list(slabs[1], {5.0, 12}).shifts));
}

TEST(GraphRule, TagsAreCollatedWhenEveryStructureHasThem) {
  auto slabs = oc20_tagged_slabs();
  const Graph g = collate({&slabs[0], &slabs[1]}, 4.0, at::kDouble);
  ASSERT_TRUE(g.tags.defined());
  EXPECT_TRUE(at::equal(g.tags, at::tensor({0, 1, 1, 2, 0, 1, 1, 2}, at::kLong)));
  EXPECT_TRUE(g.to(c10::Device(c10::kCPU)).tags.defined());
  // Float tags that are whole numbers are accepted (written by tools as reals), others refused.
  slabs[1].arrays["tags"] = at::tensor({0.0, 1.0, 1.0, 2.0}, at::kDouble);
  EXPECT_TRUE(at::equal(collate({&slabs[0], &slabs[1]}, 4.0).tags, g.tags));
  slabs[1].arrays["tags"] = at::tensor({0.0, 1.5, 1.0, 2.0}, at::kDouble);
  EXPECT_THROW(collate({&slabs[0], &slabs[1]}, 4.0), Error);
  // A structure without tags: the batch has none (models that need them say so).
  slabs[1].arrays.erase("tags");
  EXPECT_FALSE(collate({&slabs[0], &slabs[1]}, 4.0).tags.defined());
}

}  // namespace
}  // namespace eqt::data
