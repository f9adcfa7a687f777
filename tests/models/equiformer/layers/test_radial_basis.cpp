// Radial bases against their formulas evaluated element by element with <cmath>, and against
// the state dicts of the official reference models.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/bessel_basis.h"
#include "eqt/models/equiformer/layers/exp_normal_basis.h"
#include "eqt/models/equiformer/layers/gaussian_basis.h"
#include "support/reference.h"
#include "support/radial_helpers.h"

namespace eqt::models::equiformer {
namespace {

const double kPi = std::acos(-1.0);
const std::vector<double> kDistances = {0.31, 0.9, 1.2, 2.05, 3.3, 4.6, 4.999, 5.0, 6.1};

at::Tensor f64(const std::vector<double>& values) {
  return at::tensor(values, at::TensorOptions().dtype(at::kDouble));
}

double at_(const at::Tensor& t, int64_t i, int64_t k) { return t[i][k].item<double>(); }

TEST(RadialBasis, GaussianWithReferenceWeightsMatchesFormula) {
  EQT_REQUIRE_SHARED(shared);
  const auto weights = testing::read_f64_safetensors(
      shared / "reference/equiformer/small_gat_linear_gaussian/weights.safetensors");
  GaussianRadialBasis basis(32, 5.0, at::kDouble);
  testing::load_exact(basis, weights, "rbf.");
  const auto out = basis.forward(f64(kDistances));
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{9, 32}));
  const double w = weights.at("rbf.weight").item<double>(),
               b = weights.at("rbf.bias").item<double>();
  const auto mean = weights.at("rbf.mean"), stdev = weights.at("rbf.std");
  for (std::size_t i = 0; i < kDistances.size(); ++i) {
    const double x = w * (kDistances[i] / 5.0) + b;
    for (int64_t k = 0; k < 32; ++k) {
      const double s = std::abs(stdev[0][k].item<double>()) + 1e-5;
      const double z = (x - mean[0][k].item<double>()) / s;
      const double expected = std::exp(-0.5 * z * z) / (std::sqrt(2.0 * 3.14159) * s);
      EXPECT_NEAR(at_(out, i, k), expected, 1e-13 * std::max(1.0, std::abs(expected)));
    }
  }
}

TEST(RadialBasis, GaussianUsesTruncatedPi) {
  GaussianRadialBasis basis(1, 1.0, at::kDouble);
  {
    at::NoGradGuard no_grad;
    basis.mean.fill_(0.0);
    basis.std.fill_(1.0 - 1e-5);  // effective std exactly 1
  }
  const double peak = basis.forward(f64({0.0}))[0][0].item<double>();
  EXPECT_NEAR(peak, 1.0 / std::sqrt(2.0 * 3.14159), 1e-15);
  EXPECT_GT(std::abs(peak - 1.0 / std::sqrt(2.0 * kPi)), 1e-7);  // really not the exact pi
}

TEST(RadialBasis, ExpNormalBuffersMatchReferenceAndFormula) {
  EQT_REQUIRE_SHARED(shared);
  const auto weights = testing::read_f64_safetensors(
      shared / "reference/equiformer/small_gat_nonlinear_exp/weights.safetensors");
  ExpNormalBasis basis(32, 5.0, 0.0, false, at::kDouble);
  EXPECT_TRUE(basis.named_parameters().is_empty());
  const auto buffers = basis.named_buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_LT(testing::max_abs_diff(*buffers.find("means"), weights.at("rbf.means")), 1e-15);
  EXPECT_LT(testing::max_abs_diff(*buffers.find("betas"), weights.at("rbf.betas")) /
                weights.at("rbf.betas")[0].item<double>(),
            1e-14);
  const double start = std::exp(-5.0);
  const double beta = std::pow(2.0 / 32.0 * (1.0 - start), -2.0);
  for (int64_t k = 0; k < 32; ++k) {
    EXPECT_NEAR(basis.means[k].item<double>(), start + k * (1.0 - start) / 31.0, 1e-15);
    EXPECT_NEAR(basis.betas[k].item<double>(), beta, 1e-12 * beta);
  }
  testing::load_exact(basis, weights, "rbf.");
}

TEST(RadialBasis, ExpNormalMatchesFormula) {
  const double rc = 5.0, lower = 0.0;
  const int64_t K = 7;
  ExpNormalBasis basis(K, rc, lower, false, at::kDouble);
  const auto out = basis.forward(f64(kDistances));
  const double alpha = 5.0 / (rc - lower);
  for (std::size_t i = 0; i < kDistances.size(); ++i) {
    const double d = kDistances[i];
    const double fcut = d < rc ? 0.5 * (std::cos(kPi * d / rc) + 1.0) : 0.0;
    for (int64_t k = 0; k < K; ++k) {
      const double mean = basis.means[k].item<double>(), beta = basis.betas[k].item<double>();
      const double u = std::exp(-alpha * d) - mean;
      EXPECT_NEAR(at_(out, i, k), fcut * std::exp(-beta * u * u), 1e-14) << "d=" << d;
    }
  }
}

TEST(RadialBasis, ExpNormalTrainableRegistersParameters) {
  ExpNormalBasis basis(4, 5.0, 0.5, true, at::kDouble);
  const auto params = basis.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_NE(params.find("means"), nullptr);
  EXPECT_NE(params.find("betas"), nullptr);
  EXPECT_TRUE(basis.named_buffers().is_empty());
  EXPECT_DOUBLE_EQ(basis.alpha(), 5.0 / 4.5);
  EXPECT_NEAR(basis.means[0].item<double>(), std::exp(0.5 - 5.0), 1e-15);
  basis.forward(f64({1.0, 2.0})).sum().backward();
  EXPECT_TRUE(basis.means.grad().defined());
  EXPECT_GT(basis.betas.grad().abs().sum().item<double>(), 0.0);
}

TEST(RadialBasis, BesselMatchesFormula) {
  const double rc = 5.0;
  const int64_t K = 8;
  BesselBasis basis(K, rc, 5, at::kDouble);
  const auto params = basis.named_parameters();
  ASSERT_EQ(params.size(), 1u);
  ASSERT_NE(params.find("rbf.frequencies"), nullptr);
  const auto out = basis.forward(f64(kDistances));
  for (std::size_t i = 0; i < kDistances.size(); ++i) {
    const double d = kDistances[i], x = d / rc;
    const double env =
        x < 1.0 ? 1.0 - 21.0 * std::pow(x, 5) + 35.0 * std::pow(x, 6) - 15.0 * std::pow(x, 7) : 0.0;
    for (int64_t n = 1; n <= K; ++n) {
      const double expected = env * std::sqrt(2.0 / rc) * std::sin(n * kPi * d / rc) / d;
      EXPECT_NEAR(at_(out, i, n - 1), expected, 1e-13) << "d=" << d << " n=" << n;
    }
  }
}

TEST(RadialBasis, BesselAndExpVanishSmoothlyAtCutoff) {
  const double rc = 4.0;
  BesselBasis bessel(6, rc, 5, at::kDouble);
  ExpNormalBasis exp_normal(6, rc, 0.0, false, at::kDouble);
  for (RadialBasis* basis : std::vector<RadialBasis*>{&bessel, &exp_normal}) {
    const auto d = f64({rc - 1e-6}).requires_grad_(true);
    const auto out = basis->forward(d);
    EXPECT_LT(out.abs().max().item<double>(), 1e-9);
    for (int64_t k = 0; k < 6; ++k) {
      const auto slope = torch::autograd::grad({out[0][k]}, {d}, {}, true)[0];
      EXPECT_LT(std::abs(slope.item<double>()), 1e-6) << "k=" << k;
    }
  }
}

TEST(RadialBasis, FactoryAndChecks) {
  EXPECT_NE(dynamic_cast<GaussianRadialBasis*>(make_radial_basis("gaussian", 8, 5.0).get()),
            nullptr);
  EXPECT_NE(dynamic_cast<ExpNormalBasis*>(make_radial_basis("exp", 8, 5.0).get()), nullptr);
  const auto bessel = make_radial_basis("bessel", 8, 5.0, at::kDouble);
  ASSERT_NE(dynamic_cast<BesselBasis*>(bessel.get()), nullptr);
  EXPECT_EQ(dynamic_cast<BesselBasis*>(bessel.get())->envelope_exponent(), 5);
  EXPECT_EQ(bessel->num_basis(), 8);
  EXPECT_THROW(make_radial_basis("spherical_bessel", 8, 5.0), eqt::Error);
  EXPECT_THROW(make_radial_basis("exp", 0, 5.0), eqt::Error);
  // A float32 basis refuses float64 distances instead of silently promoting.
  EXPECT_THROW(make_radial_basis("exp", 8, 5.0)->forward(f64({1.0})), eqt::Error);
  EXPECT_THROW(bessel->forward(f64({1.0})[0]), eqt::Error);  // 0-d input
}

TEST(RadialBasis, Float32AgreesWithFloat64) {
  for (const std::string name : {"gaussian", "exp", "bessel"}) {
    const auto b64 = make_radial_basis(name, 16, 5.0, at::kDouble);
    const auto b32 = make_radial_basis(name, 16, 5.0, at::kFloat);
    if (name == "gaussian") {  // random init: give both the same parameters
      at::NoGradGuard no_grad;
      for (auto& item : b32->named_parameters())
        item.value().copy_(*b64->named_parameters().find(item.key()));
    }
    const auto d = f64(kDistances);
    const auto out32 = b32->forward(d.to(at::kFloat));
    EXPECT_EQ(out32.scalar_type(), at::kFloat);
    EXPECT_LT(testing::max_abs_diff(out32.to(at::kDouble), b64->forward(d)), 2e-5) << name;
  }
}

}  // namespace
}  // namespace eqt::models::equiformer
