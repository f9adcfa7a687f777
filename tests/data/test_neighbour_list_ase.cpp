// eqt's neighbour lists against ase.neighborlist.neighbor_list on every dataset in
// ../shared/data and on generated hard cases: identical (i, j, S) sets, distances to 1e-12.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "eqt/data/neighbour_list.h"
#include "support/reference.h"
#include "test_neighbour_list_reference.h"

namespace eqt::data {
namespace {

namespace fs = std::filesystem;
using testing::AseNeighbourCase;

// 5 A is Equiformer's cutoff; 3 A exercises finer bin grids.
const std::string kCutoffs = "--cutoffs=5,3";

std::vector<std::string> extxyz_files(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".xyz") != std::string::npos) files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

void expect_matches_ase(const std::vector<AseNeighbourCase>& cases) {
  ASSERT_FALSE(cases.empty());
  int64_t failures = 0, edges = 0, ties = 0;
  double worst_distance = 0;
  for (const AseNeighbourCase& c : cases) {
    SCOPED_TRACE(c.name + " cutoff " + std::to_string(c.cutoff));
    const NeighbourList nl = neighbour_list(c.structure, c.cutoff);
    const testing::EdgeComparison cmp = testing::compare_with_ase(c, nl);
    const bool ok =
        cmp.sorted_unique && cmp.missing == 0 && cmp.extra == 0 && cmp.max_distance_error <= 1e-12;
    EXPECT_TRUE(cmp.sorted_unique) << "output not strictly sorted by (i, j, S)";
    EXPECT_EQ(cmp.missing, 0) << cmp.first_problem;
    EXPECT_EQ(cmp.extra, 0) << cmp.first_problem;
    EXPECT_LE(cmp.max_distance_error, 1e-12);
    edges += cmp.matched;
    ties += cmp.boundary_ties;
    worst_distance = std::max(worst_distance, cmp.max_distance_error);
    if (!ok && ++failures >= 5) FAIL() << "stopping after 5 mismatching structures";
  }
  std::cout << "[ ASE      ] " << cases.size() << " structure/cutoff pairs, " << edges
            << " edges identical, max |d - d_ase| " << worst_distance << ", ties at the cutoff "
            << ties << "\n";
}

void expect_dataset_matches_ase(const std::string& dataset, int stride) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path dir = shared / "data" / dataset;
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  const auto files = extxyz_files(dir);
  ASSERT_FALSE(files.empty()) << "no extxyz files in " << dir;
  expect_matches_ase(testing::ase_neighbour_cases(
      {"files", kCutoffs, "--stride=" + std::to_string(stride)}, files));
}

void expect_generated_matches_ase(const std::string& name) {
  expect_matches_ase(testing::ase_neighbour_cases({"generated", name, kCutoffs}));
}

// Molecular files: every 50th frame (every 10th of the tiny methane, all of qm9); periodic
// files: every frame (the helper ignores the stride for them).
TEST(NeighbourListAse, Rmd17) { expect_dataset_matches_ase("rmd17", 50); }
TEST(NeighbourListAse, Md17) { expect_dataset_matches_ase("md17", 50); }
TEST(NeighbourListAse, Qm9) { expect_dataset_matches_ase("qm9", 1); }
TEST(NeighbourListAse, Methane) { expect_dataset_matches_ase("methane", 10); }
TEST(NeighbourListAse, Acac) { expect_dataset_matches_ase("acac", 50); }
TEST(NeighbourListAse, Water) { expect_dataset_matches_ase("water", 1); }
TEST(NeighbourListAse, Solids) { expect_dataset_matches_ase("solids", 1); }

TEST(NeighbourListAse, TinyCells) { expect_generated_matches_ase("tiny_cells"); }
TEST(NeighbourListAse, SkewedCells) { expect_generated_matches_ase("skewed_cells"); }
TEST(NeighbourListAse, MixedPbc) { expect_generated_matches_ase("mixed_pbc"); }
TEST(NeighbourListAse, AtomsOutsideCell) { expect_generated_matches_ase("outside_cell"); }
TEST(NeighbourListAse, SingleAtom) { expect_generated_matches_ase("single_atom"); }
TEST(NeighbourListAse, Empty) { expect_generated_matches_ase("empty"); }

}  // namespace
}  // namespace eqt::data
