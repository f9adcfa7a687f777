#include <sstream>

#include "eqt/core/units.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {

// The constants must agree with ASE, which is what users' extxyz files were converted with.
TEST(Units, AgreeWithAse) {
  const auto r = run_command(std::string(EQT_TEST_PYTHON) +
                             " -c 'from ase import units as u; "
                             "print(repr(u.Hartree), repr(u.Bohr), repr(u.kcal/u.mol), "
                             "repr(u.kJ/u.mol), repr(1/u.GPa))'");
  if (r.exit_code != 0) EQT_SKIP_OR_FAIL() << "python3 with ASE not available: " << r.output;
  std::istringstream in(r.output);
  double hartree = 0, bohr = 0, kcal = 0, kj = 0, gpa = 0;
  in >> hartree >> bohr >> kcal >> kj >> gpa;
  EXPECT_DOUBLE_EQ(units::kHartreeToEv, hartree);
  EXPECT_DOUBLE_EQ(units::kBohrToAngstrom, bohr);
  EXPECT_DOUBLE_EQ(units::kKcalPerMolToEv, kcal);
  EXPECT_DOUBLE_EQ(units::kKjPerMolToEv, kj);
  EXPECT_DOUBLE_EQ(units::kEvPerCubicAngstromToGpa, gpa);
}

TEST(Units, MolecularDynamicsConstantsAgreeWithAse) {
  const auto r = run_command(std::string(EQT_TEST_PYTHON) +
                             " -c 'from ase import units as u; "
                             "print(repr(u.kB), repr(u.fs), repr(u._amu * 1e10 / u._e))'");
  if (r.exit_code != 0) EQT_SKIP_OR_FAIL() << "python3 with ASE not available: " << r.output;
  std::istringstream in(r.output);
  double kb = 0, fs = 0, amu_a2_per_fs2 = 0;
  in >> kb >> fs >> amu_a2_per_fs2;
  EXPECT_DOUBLE_EQ(units::kBoltzmannEvPerKelvin, kb);
  EXPECT_DOUBLE_EQ(units::kFsToAseTime, fs);
  // 1 amu A^2 / fs^2 = amu * 1e-20 m^2 / 1e-30 s^2 in J, divided by e for eV.
  EXPECT_NEAR(units::kAmuAngstromSquaredPerFsSquaredToEv, amu_a2_per_fs2, 1e-12 * amu_a2_per_fs2);
  EXPECT_NEAR(units::kAmuAngstromSquaredPerFsSquaredToEv * fs * fs, 1.0, 1e-14);
}

}  // namespace eqt::testing
