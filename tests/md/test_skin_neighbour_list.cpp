// The skin neighbour list gives the same forces as a fresh neighbour list at every step, while
// atoms move, leave the cell and are wrapped back, also in a cell smaller than the cutoff.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/md/maxwell_boltzmann.h"
#include "eqt/md/model_forces.h"
#include "eqt/md/run.h"
#include "eqt/md/velocity_verlet.h"
#include "md/md_test_support.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

struct Counts {
  int64_t steps = 0, builds = 0, wrapped = 0;
};

// Runs hot dynamics with the skin list and compares every step with a fresh list.
Counts compare_with_fresh_lists(std::shared_ptr<models::Model> model, md::MdState state, double temperature,
                                double dt, int64_t steps, double skin, double tolerance) {
  md::GaussianSource random(5);
  md::maxwell_boltzmann_velocities(state, random, {temperature, true, false});
  md::ModelForces forces(model, at::kDouble, skin);
  md::VelocityVerlet integrator(dt);
  Counts counts;
  md::run_dynamics(state, integrator, forces, steps, [&](const md::MdState& s) {
    const auto fresh = evaluate_fresh(*model, s);
    EXPECT_NEAR(s.potential_energy, fresh.energy.item<double>(), tolerance) << "step " << s.step;
    EXPECT_LT((s.forces - fresh.forces).abs().max().item<double>(), tolerance) << "step " << s.step;
    ++counts.steps;
  });
  counts.builds = forces.neighbour_list().builds();
  counts.wrapped = state.images.abs().sum().item<int64_t>();
  return counts;
}

TEST(SkinNeighbourList, LennardJonesForcesEqualAFreshListEveryStep) {
  auto model = std::make_shared<LennardJones>(kArgonSigma, kArgonEpsilon, 5.0);
  const auto counts = compare_with_fresh_lists(model, md::state_from_structure(argon_crystal(2), "argon"), 2000.0,
                                               4.0, 150, 0.6, 1e-12);
  EXPECT_EQ(counts.steps, 151);
  EXPECT_GT(counts.builds, 2);     // atoms moved more than skin / 2 several times
  EXPECT_LT(counts.builds, 100);   // and the list was reused in between
  EXPECT_GT(counts.wrapped, 0);    // atoms crossed the cell boundary
}

TEST(SkinNeighbourList, CellSmallerThanTheCutoff) {
  // One skewed fcc cell of 4 atoms, 4.2 A across, with a 6 A cutoff: many images of every atom.
  data::Structure s = argon_crystal(1, 4.2, 0.1, 9);
  s.cell[1][0] = 0.7;
  s.cell[2][1] = -0.5;
  auto model = std::make_shared<LennardJones>(kArgonSigma, kArgonEpsilon, 6.0);
  const auto counts = compare_with_fresh_lists(model, md::state_from_structure(s, "small cell"), 3000.0, 4.0, 100,
                                               0.8, 1e-12);
  EXPECT_GT(counts.builds, 1);
  EXPECT_GT(counts.wrapped, 0);
}

TEST(SkinNeighbourList, EquiformerOnAPeriodicCrystal) {
  auto model = std::make_shared<models::equiformer::EquiformerModel>(small_config(), at::kDouble);
  const auto counts = compare_with_fresh_lists(model, md::state_from_structure(distorted_fcc(), "fcc"), 3000.0, 2.0,
                                               10, 0.3, 1e-10);
  EXPECT_EQ(counts.steps, 11);
}

TEST(SkinNeighbourList, RejectsBadParameters) {
  EXPECT_THROW(md::SkinNeighbourList(0.0, 1.0), Error);
  EXPECT_THROW(md::SkinNeighbourList(5.0, -0.1), Error);
}

}  // namespace
}  // namespace eqt::testing
