// Maxwell-Boltzmann initial velocities: per-species variance k_B T / m (an analytic formula),
// zero total momentum, exact temperature on request, reproducible seeds.
#include <gtest/gtest.h>

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/core/units.h"
#include "eqt/md/maxwell_boltzmann.h"

namespace eqt::testing {
namespace {

md::MdState hydrogen_and_argon(int64_t per_species) {
  std::vector<int64_t> numbers(2 * per_species, 1);
  for (int64_t i = per_species; i < 2 * per_species; ++i) numbers[i] = 18;
  const auto count = static_cast<int64_t>(numbers.size());
  return md::state_from_structure(data::make_structure(numbers, at::zeros({count, 3}, at::kDouble)), "test");
}

TEST(MaxwellBoltzmann, ComponentVarianceIsKTOverMass) {
  const int64_t n = 20000;
  auto state = hydrogen_and_argon(n);
  md::GaussianSource random(42);
  md::MaxwellBoltzmannOptions options;
  options.temperature_k = 500.0;
  md::maxwell_boltzmann_velocities(state, random, options);
  for (const auto& [begin, mass] : {std::pair<int64_t, double>{0, 1.008}, {n, 39.948}}) {
    const at::Tensor v = state.velocities.slice(0, begin, begin + n);
    // k_B T / m in eV/amu -> (A/fs)^2.
    const double expected = units::kBoltzmannEvPerKelvin * 500.0 / mass / units::kAmuAngstromSquaredPerFsSquaredToEv;
    const double variance = (v * v).mean().item<double>();
    // 3n = 60000 samples: the relative standard error of a variance is sqrt(2 / 3n) = 0.6%.
    EXPECT_NEAR(variance / expected, 1.0, 0.03) << "mass " << mass;
    // Gaussian: fourth moment 3 sigma^4.
    EXPECT_NEAR((v * v * v * v).mean().item<double>() / (3 * expected * expected), 1.0, 0.06);
    EXPECT_NEAR(v.mean().item<double>() / std::sqrt(expected), 0.0, 0.03);
  }
  const at::Tensor momentum = (state.masses.unsqueeze(1) * state.velocities).sum(0);
  EXPECT_LT(momentum.abs().max().item<double>(), 1e-10);
  EXPECT_NEAR(md::temperature(state) / 500.0, 1.0, 0.03);
}

TEST(MaxwellBoltzmann, ExactTemperatureAndReproducibleSeeds) {
  auto a = hydrogen_and_argon(5), b = hydrogen_and_argon(5), c = hydrogen_and_argon(5);
  md::MaxwellBoltzmannOptions options;
  options.temperature_k = 300.0;
  options.exact_temperature = true;
  md::GaussianSource first(7), same(7), other(8);
  md::maxwell_boltzmann_velocities(a, first, options);
  md::maxwell_boltzmann_velocities(b, same, options);
  md::maxwell_boltzmann_velocities(c, other, options);
  EXPECT_NEAR(md::temperature(a), 300.0, 1e-9);
  EXPECT_TRUE(at::equal(a.velocities, b.velocities));
  EXPECT_FALSE(at::allclose(a.velocities, c.velocities));
  EXPECT_LT((a.masses.unsqueeze(1) * a.velocities).sum(0).abs().max().item<double>(), 1e-12);
}

TEST(MaxwellBoltzmann, RejectsNegativeTemperature) {
  auto state = hydrogen_and_argon(1);
  md::GaussianSource random(1);
  md::MaxwellBoltzmannOptions options;
  options.temperature_k = -1.0;
  EXPECT_THROW(md::maxwell_boltzmann_velocities(state, random, options), Error);
}

TEST(Temperature, MatchesTheEquipartitionFormula) {
  auto state = hydrogen_and_argon(1);
  // One hydrogen moving at 0.01 A/fs: E = m v^2 / 2 in amu A^2/fs^2 -> eV.
  state.velocities[0][0] = 0.01;
  const double kinetic = 0.5 * 1.008 * 1e-4 * units::kAmuAngstromSquaredPerFsSquaredToEv;
  EXPECT_NEAR(md::kinetic_energy(state), kinetic, 1e-15);
  EXPECT_NEAR(md::temperature(state), 2 * kinetic / (6 * units::kBoltzmannEvPerKelvin), 1e-9);
}

}  // namespace
}  // namespace eqt::testing
