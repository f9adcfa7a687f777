// norm_eps, the epsilon of Equiformer's equivariant norms: it reaches every norm of the model, it
// round-trips through model.json and YAML presets, and it sets how stiff the energy is at a
// centrosymmetric site. There an atom's l > 0 features vanish, and the norm divides them by
// sqrt(mean square + eps): with the official 1e-5 a displacement of micro-Angstroms already swings
// them to unit size (docs/md.md, "Equiformer at symmetric sites"). float64, random weights.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <yaml-cpp/yaml.h>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/config_json.h"
#include "eqt/models/equiformer/layers/equivariant_norm.h"
#include "eqt/models/potential.h"
#include "models/equiformer_fixtures.h"
#include "models/graph_fixtures.h"

namespace eqt::testing {
namespace {

using models::equiformer::AffineEquivariantNorm;
using models::equiformer::EquiformerConfig;
using models::equiformer::EquiformerModel;

std::shared_ptr<EquiformerModel> built(EquiformerConfig config, double norm_eps) {
  config.norm_eps = norm_eps;
  at::manual_seed(5);  // the same weights whatever the epsilon
  auto model = std::make_shared<EquiformerModel>(config, at::kDouble);
  models::prepare_for_inference(*model);
  return model;
}

TEST(EquiformerNormEps, ReachesEveryNormOfTheModel) {
  const EquiformerConfig config = small_config();
  const auto model = built(config, 0.375);
  int norms = 0;
  for (const auto& module : model->modules()) {
    if (const auto* norm = dynamic_cast<const AffineEquivariantNorm*>(module.get())) {
      EXPECT_EQ(norm->eps(), 0.375);
      ++norms;
    }
  }
  EXPECT_EQ(norms, 2 * config.num_layers + 1);  // two per block and the final one
}

TEST(EquiformerNormEps, RoundTripsThroughModelJsonAndPresets) {
  EquiformerConfig config = small_config();
  EXPECT_EQ(config.norm_eps, 1e-5);  // the official models' value
  config.norm_eps = 0.01;
  const auto json = models::equiformer::to_json(config);
  EXPECT_EQ(json.at("norm_eps").get<double>(), 0.01);
  EXPECT_EQ(models::equiformer::apply_json(EquiformerConfig{}, json, false).norm_eps, 0.01);
  EXPECT_EQ(models::equiformer::config_from_yaml(YAML::Load("norm_eps: 0.25")).norm_eps, 0.25);
}

TEST(EquiformerNormEps, OutOfRangeValuesAreRefused) {
  for (const double bad : {0.0, -1e-5, 1e4, std::numeric_limits<double>::quiet_NaN()}) {
    EquiformerConfig config = small_config();
    config.norm_eps = bad;
    EXPECT_THROW(config.validate(), Error) << bad;
  }
}

// An octahedron around atom 0: its site is centrosymmetric, so its l > 0 features vanish.
data::Structure octahedron_with_centre_at(double shift) {
  const double r = 1.6;
  at::Tensor positions = at::tensor({0.0, 0.0, 0.0, r, 0.0, 0.0, -r, 0.0, 0.0, 0.0, r, 0.0,
                                     0.0, -r, 0.0, 0.0, 0.0, r, 0.0, 0.0, -r},
                                    at::kDouble).view({7, 3});
  const at::Tensor direction = at::tensor({0.6, 0.48, 0.64}, at::kDouble);  // unit length
  positions[0] += shift * direction;
  return data::make_structure({29, 13, 13, 13, 13, 13, 13}, positions);
}

// (E(h) - E(0)) / h^2, which a smooth energy (even in h by symmetry) keeps near one value for
// every small h.
double curvature(EquiformerModel& model, double h) {
  const auto energy = [&](double shift) {
    return models::evaluate(model, graph_of(octahedron_with_centre_at(shift), 4.0)).energy[0].item<double>();
  };
  return (energy(h) - energy(0.0)) / (h * h);
}

TEST(EquiformerNormEps, OfficialEpsilonIsStiffAtACentrosymmetricSiteAndALargerOneIsNot) {
  const auto official = built(small_config(), 1e-5);
  const auto relaxed = built(small_config(), 1.0);
  const double official_tiny = std::abs(curvature(*official, 1e-6));
  const double official_small = std::abs(curvature(*official, 1e-2));
  const double relaxed_tiny = std::abs(curvature(*relaxed, 1e-6));
  const double relaxed_small = std::abs(curvature(*relaxed, 1e-2));
  EXPECT_GT(official_small, 0.0);
  EXPECT_GT(relaxed_small, 0.0);
  // Micro-Angstroms see a far stiffer energy than hundredths of an Angstrom with the official eps...
  EXPECT_GT(official_tiny, 100.0 * official_small) << official_tiny << " vs " << official_small;
  // ... and about the same one with a larger eps.
  EXPECT_LT(relaxed_tiny, 3.0 * relaxed_small) << relaxed_tiny << " vs " << relaxed_small;
  EXPECT_GT(relaxed_tiny, relaxed_small / 3.0) << relaxed_tiny << " vs " << relaxed_small;
}

}  // namespace
}  // namespace eqt::testing
