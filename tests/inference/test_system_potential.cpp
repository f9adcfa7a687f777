// SystemPotential (the whole-system evaluation behind pair_style eqt's replicated mode): forces are
// minus the finite-difference gradient of its energy, and its virial is minus the finite-difference
// derivative of the energy under a symmetric strain (LAMMPS's sign convention), for an ECSE-wrapped
// PET in a triclinic periodic cell and as an open molecule.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <memory>
#include <vector>

#include "eqt/inference/system_potential.h"
#include "eqt/models/ecse/ecse_model.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

// Four atoms in a sheared cell: every lattice vector has off-diagonal parts.
struct System {
  std::vector<double> positions{0.1, 0.2, 0.3, 1.4, 0.1, 0.2, 0.3, 1.5, 0.4, 1.2, 1.3, 1.6};
  std::vector<int64_t> numbers{6, 6, 8, 1};
  std::array<double, 9> cell{3.1, 0.0, 0.0, 0.6, 2.9, 0.0, -0.4, 0.5, 3.3};
  std::array<bool, 3> pbc{true, true, true};
};

double energy(inference::SystemPotential& potential, const System& s) {
  inference::SystemPotential::Request request;
  request.positions = s.positions.data();
  request.numbers = s.numbers.data();
  request.num_atoms = static_cast<int64_t>(s.numbers.size());
  request.cell = s.cell;
  request.pbc = s.pbc;
  request.virial = false;
  return potential.compute(request).energy;
}

// Applies (I + e) to positions and cell rows, e symmetric with e[a][b] = e[b][a] = eps.
System strained(System s, int a, int b, double eps) {
  auto apply = [&](double* row) {
    double out[3] = {row[0], row[1], row[2]};
    out[b] += eps * row[a];
    if (a != b) out[a] += eps * row[b];
    for (int k = 0; k < 3; ++k) row[k] = out[k];
  };
  for (size_t i = 0; i < s.numbers.size(); ++i) apply(&s.positions[3 * i]);
  for (int r = 0; r < 3; ++r) apply(&s.cell[3 * r]);
  return s;
}

// Periodic (virial from the stress) and open (the same four atoms as a molecule: virial from the
// forces).
class SystemPotentialCheck : public ::testing::TestWithParam<bool> {};

TEST_P(SystemPotentialCheck, ForcesAndVirialAreFiniteDifferencesOfTheEnergy) {
  const RandomPetSpec spec{{1, 6, 8}, 3.0, 2, 11};
  auto ecse = std::make_shared<models::ecse::EcseModel>(random_pet(spec));
  inference::SystemPotential potential(ecse, false);
  EXPECT_EQ(potential.kind(), "ecse(pet)");
  EXPECT_FALSE(std::isfinite(potential.interaction_range()));

  System s;
  if (!GetParam()) s.pbc = {false, false, false};
  inference::SystemPotential::Request request;
  request.positions = s.positions.data();
  request.numbers = s.numbers.data();
  request.num_atoms = 4;
  request.cell = s.cell;
  request.pbc = s.pbc;
  request.atomic_energies = true;
  const auto result = potential.compute(request);
  double sum = 0.0;
  for (double e : result.atomic_energies) sum += e;
  EXPECT_NEAR(sum, result.energy, 1e-10);

  // ECSE's frame weights make the random model stiff (third derivatives are large), so the step is
  // small and the tolerance loose; a wrong sign or factor would still be off by order one.
  const double h = 1e-6;
  double largest = 0.0;
  for (int i = 0; i < 12; ++i) {
    System plus = s, minus = s;
    plus.positions[i] += h;
    minus.positions[i] -= h;
    const double expected = -(energy(potential, plus) - energy(potential, minus)) / (2 * h);
    EXPECT_NEAR(result.forces[i], expected, 1e-5) << "component " << i;
    largest = std::max(largest, std::abs(expected));
  }
  EXPECT_GT(largest, 1e-2);
  // LAMMPS order xx yy zz xy xz yz; virial = -dE/d(strain).
  const int pairs[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
  for (int k = 0; k < 6; ++k) {
    const auto [a, b] = pairs[k];
    // A symmetric off-diagonal strain moves both e_ab and e_ba: dE/de_ab = half the derivative.
    const double scale = a == b ? 1.0 : 0.5;
    const double expected =
        -scale * (energy(potential, strained(s, a, b, h)) - energy(potential, strained(s, a, b, -h))) / (2 * h);
    EXPECT_NEAR(result.virial[k], expected, 1e-5) << "virial component " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(SystemPotential, SystemPotentialCheck, ::testing::Bool(),
                         [](const auto& info) { return info.param ? std::string("periodic") : std::string("open"); });

}  // namespace
}  // namespace eqt::testing
