// MD state: ASE's masses, velocities read from eqt's and ASE's arrays, bad cells rejected.
#include <gtest/gtest.h>

#include <sstream>

#include "eqt/core/error.h"
#include "eqt/core/units.h"
#include "eqt/data/atomic_masses.h"
#include "eqt/md/state.h"
#include "eqt/md/wrap.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

TEST(AtomicMasses, EqualAsesTable) {
  const auto r = run_command(std::string(EQT_TEST_PYTHON) +
                             " -c 'from ase.data import atomic_masses; print(*(repr(float(m)) for m in atomic_masses))'");
  if (r.exit_code != 0) EQT_SKIP_OR_FAIL() << "python3 with ASE not available: " << r.output;
  std::istringstream in(r.output);
  int64_t z = 0;
  for (double mass = 0; in >> mass; ++z) EXPECT_EQ(data::atomic_mass(z), mass) << "Z = " << z;
  EXPECT_EQ(z, 119);
  EXPECT_THROW(data::atomic_mass(119), Error);
}

TEST(MdState, ZeroVolumeCellIsRejected) {
  data::Structure s = data::make_structure({1, 1}, at::zeros({2, 3}, at::kDouble));
  s.cell = at::tensor({3.0, 0.0, 0.0, 0.0, 3.0, 0.0, 3.0, 3.0, 0.0}, at::kDouble).view({3, 3});
  s.pbc = {true, true, true};
  try {
    md::state_from_structure(s, "flat.xyz: frame 2");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("flat.xyz: frame 2: the periodic cell has zero volume"), std::string::npos)
        << e.what();
  }
}

TEST(MdState, VelocitiesFromEqtAndAseArrays) {
  data::Structure s = data::make_structure({1, 8}, at::zeros({2, 3}, at::kDouble));
  auto state = md::state_from_structure(s, "x");
  EXPECT_EQ(state.masses[1].item<double>(), data::atomic_mass(8));
  EXPECT_FALSE(md::read_velocities(s, state, "x"));
  // ASE momenta (amu A per ASE time unit) -> A/fs: v = p / m * ase.units.fs.
  s.arrays["momenta"] = at::tensor({1.0, 0.0, 0.0, 0.0, 2.0, 0.0}, at::kDouble).view({2, 3});
  ASSERT_TRUE(md::read_velocities(s, state, "x"));
  EXPECT_NEAR(state.velocities[0][0].item<double>(), 1.0 / 1.008 * units::kFsToAseTime, 1e-15);
  EXPECT_NEAR(state.velocities[1][1].item<double>(), 2.0 / data::atomic_mass(8) * units::kFsToAseTime, 1e-15);
  s.arrays["velocities"] = at::full({2, 3}, 0.5, at::kDouble);  // eqt's own array wins
  ASSERT_TRUE(md::read_velocities(s, state, "x"));
  EXPECT_EQ(state.velocities[1][2].item<double>(), 0.5);
}

TEST(Wrap, MovesAtomsIntoTheCellAndRecordsImages) {
  const at::Tensor cell = at::tensor({4.0, 0.0, 0.0, 1.0, 5.0, 0.0, 0.0, 0.0, 6.0}, at::kDouble).view({3, 3});
  const at::Tensor positions = at::tensor({-0.5, 1.0, 13.0, 4.5, 6.0, -1.0}, at::kDouble).view({2, 3});
  auto state = md::state_from_structure(data::make_structure({1, 1}, positions, cell, {true, true, false}), "x");
  md::wrap_positions(state);
  const at::Tensor fractional = at::matmul(state.positions, at::inverse(cell));
  EXPECT_TRUE(fractional.select(1, 0).ge(0).all().item<bool>() && fractional.select(1, 0).lt(1).all().item<bool>());
  EXPECT_TRUE(fractional.select(1, 1).ge(0).all().item<bool>() && fractional.select(1, 1).lt(1).all().item<bool>());
  // Not periodic along c: z untouched.
  EXPECT_EQ(state.positions[0][2].item<double>(), 13.0);
  EXPECT_TRUE(at::allclose(md::unwrapped_positions(state), positions, 0, 1e-12));
}

}  // namespace
}  // namespace eqt::testing
