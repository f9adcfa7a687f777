#include <gtest/gtest.h>

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/data/structure.h"
#include "eqt/train/normalisation.h"

namespace eqt::train {
namespace {

Sample sample(const std::vector<int64_t>& z, double energy, double force) {
  Sample s;
  s.structure = data::make_structure(z, at::zeros({static_cast<int64_t>(z.size()), 3}, at::kDouble));
  s.labels.energy = at::scalar_tensor(energy, at::kDouble);
  s.labels.forces = at::full({static_cast<int64_t>(z.size()), 3}, force, at::kDouble);
  return s;
}

// Energies and forces trained, every statistic fitted ("auto").
TrainConfig energy_and_forces_fitted() {
  TrainConfig config;
  config.energy.weight = 1.0;
  config.forces.weight = 1.0;
  config.reference_energies = YAML::Load("auto");
  config.mean = YAML::Load("auto");
  config.scale = YAML::Load("auto");
  return config;
}

TEST(TrainNormalisation, ExactCompositionsRecoverTheReferenceEnergies) {
  // E = 2 e_H + n_C e_C with e_H = -13.5, e_C = -1030.25 (full rank): exact recovery.
  const at::Tensor counts = at::tensor({2.0, 1.0, 4.0, 1.0, 0.0, 3.0}, at::kDouble).reshape({3, 2});
  const at::Tensor energies = at::matmul(counts, at::tensor({-13.5, -1030.25}, at::kDouble));
  const auto e = fit_reference_energies(counts, energies);
  EXPECT_NEAR(e[0], -13.5, 1e-9);
  EXPECT_NEAR(e[1], -1030.25, 1e-9);
}

TEST(TrainNormalisation, OneCompositionGivesTheMinimumNormSolution) {
  // A single composition (C2H6O in all MD frames) fixes only 6 e_H + 2 e_C + e_O = mean E; the
  // minimum-norm solution (numpy.linalg.lstsq's) is e = mean(E) c / |c|^2 with c = (6, 2, 1).
  const at::Tensor counts = at::tensor({6.0, 2.0, 1.0, 6.0, 2.0, 1.0}, at::kDouble).reshape({2, 3});
  const at::Tensor energies = at::tensor({-100.0, -102.0}, at::kDouble);
  const auto e = fit_reference_energies(counts, energies);
  const double factor = -101.0 / 41.0;
  EXPECT_NEAR(e[0], 6 * factor, 1e-10);
  EXPECT_NEAR(e[1], 2 * factor, 1e-10);
  EXPECT_NEAR(e[2], 1 * factor, 1e-10);
}

TEST(TrainNormalisation, FitUsesForceRmsAsScaleAndBaselineSumsReferences) {
  Split train;
  train.samples = {sample({1, 1, 6}, 2 * -13.5 - 1030.25 + 0.1, 0.5), sample({1, 6, 6}, -13.5 - 2 * 1030.25 - 0.1, 2.0),
                   sample({6}, -1030.25, 1.0)};
  TrainConfig config = energy_and_forces_fitted();
  const Normalisation n = fit_normalisation(train, config);
  // Force RMS: components 0.5 (9 of them), 2.0 (9), 1.0 (3).
  EXPECT_NEAR(n.scale, std::sqrt((9 * 0.25 + 9 * 4.0 + 3 * 1.0) / 21.0), 1e-12);
  EXPECT_DOUBLE_EQ(n.mean, 0.0);
  // Least squares of [2 1; 1 2; 0 1] e = E by the normal equations, solved by hand.
  const double E0 = 2 * -13.5 - 1030.25 + 0.1, E1 = -13.5 - 2 * 1030.25 - 0.1, E2 = -1030.25;
  // A^T A = [[5, 4], [4, 6]], A^T E = [2E0 + E1, E0 + 2E1 + E2]; det 14.
  const double b0 = 2 * E0 + E1, b1 = E0 + 2 * E1 + E2;
  EXPECT_NEAR(n.reference_energies.at(1), (6 * b0 - 4 * b1) / 14.0, 1e-9);
  EXPECT_NEAR(n.reference_energies.at(6), (5 * b1 - 4 * b0) / 14.0, 1e-9);
  EXPECT_NEAR(n.baseline(train.samples[0].structure), 2 * n.reference_energies.at(1) + n.reference_energies.at(6),
              1e-9);
  // Given values win over fitted ones.
  config.reference_energies = YAML::Load("{H: -1.0, C: -2.0}");
  config.scale = YAML::Load("0.5");
  config.mean = YAML::Load("3.0");
  const Normalisation given = fit_normalisation(train, config);
  EXPECT_DOUBLE_EQ(given.reference_energies.at(1), -1.0);
  EXPECT_DOUBLE_EQ(given.scale, 0.5);
  EXPECT_DOUBLE_EQ(given.baseline(train.samples[0].structure), 3.0 - 2.0 - 2.0);
  const Normalisation back = normalisation_from_json(to_json(given));
  EXPECT_EQ(back.reference_energies, given.reference_energies);
  EXPECT_DOUBLE_EQ(back.mean, 3.0);
}

TEST(TrainNormalisation, WithoutForcesScaleIsTheResidualEnergyStd) {
  Split train;
  train.samples = {sample({1}, 1.0, 0), sample({1}, 3.0, 0), sample({1}, 5.0, 0)};
  for (auto& s : train.samples) s.labels.forces = at::Tensor();  // not trained: no force labels read
  TrainConfig config;
  config.energy.weight = 1.0;
  config.reference_energies = YAML::Load("none");
  config.mean = YAML::Load("auto");
  config.scale = YAML::Load("auto");
  const Normalisation n = fit_normalisation(train, config);
  EXPECT_DOUBLE_EQ(n.mean, 3.0);
  EXPECT_NEAR(n.scale, std::sqrt(8.0 / 3.0), 1e-12);  // population std of 1, 3, 5
}

// A finite label whose square overflows (1e300 eV/A) makes the force RMS infinite; training
// must refuse to start and name the structure, not skip every step as non-finite.
TEST(TrainNormalisation, AnOverflowingStatisticNamesTheStructure) {
  Split train;
  train.samples = {sample({1, 6}, -1040.0, 0.5), sample({1, 6}, -1041.0, 1e300), sample({6}, -1030.0, 1.0)};
  for (std::size_t k = 0; k < train.samples.size(); ++k) train.samples[k].where = "train.xyz: frame " + std::to_string(k);
  TrainConfig config = energy_and_forces_fitted();
  try {
    fit_normalisation(train, config);
    ADD_FAILURE() << "an infinite force scale was accepted";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("scale = inf"), std::string::npos) << message;
    EXPECT_NE(message.find("the largest |force| label, 1e+300 eV/A, is in train.xyz: frame 1"), std::string::npos)
        << message;
  }
  // A given scale leaves nothing to overflow: the fit goes through.
  config.scale = YAML::Load("1.0");
  EXPECT_DOUBLE_EQ(fit_normalisation(train, config).scale, 1.0);
}

}  // namespace
}  // namespace eqt::train
