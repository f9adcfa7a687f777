#include "eqt/so3/spherical_harmonics.h"

#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <string>

#include "eqt/core/error.h"
#include "eqt/so3/rotation.h"
#include "eqt/so3/wigner_d.h"
#include "support/reference.h"

namespace eqt::so3 {
namespace {

Irreps single_degree(int l) { return Irreps(1, Irrep(l, l % 2 == 0 ? 1 : -1)); }

ShNormalization parse_normalization(const std::string& name) {
  if (name == "component") return ShNormalization::Component;
  if (name == "integral") return ShNormalization::Integral;
  if (name == "norm") return ShNormalization::Norm;
  throw std::runtime_error("unknown normalization " + name);
}

// Largest |a - b| / max(1, |b|): absolute for values of order one, relative for the large
// unnormalised polynomials (|r|^6 reaches ~10^3 in the reference).
double scaled_error(const at::Tensor& a, const at::Tensor& b) {
  return ((a - b).abs() / b.abs().clamp_min(1.0)).max().item<double>();
}

at::Tensor random_vectors(int64_t n, uint64_t seed) {
  return at::randn({n, 3}, make_cpu_generator(seed), at::kDouble);
}

// d/dx sum(weights * Y(x)) through autograd, keeping the graph when asked.
at::Tensor gradient(const at::Tensor& x, const at::Tensor& weights, int lmax, bool normalize,
                    bool create_graph) {
  const auto y = spherical_harmonics(lmax, x, normalize, ShNormalization::Component);
  return torch::autograd::grad({(y * weights).sum()}, {x}, {}, create_graph, create_graph)[0];
}

}  // namespace

TEST(SphericalHarmonics, MatchesE3nnReference) {
  EQT_REQUIRE_SHARED(shared);
  const auto reference = testing::load_json(shared / "reference/e3nn/spherical_harmonics.json");
  const auto vectors = testing::tensor_from_json(reference["vectors"]);
  int checked = 0;
  for (const auto& c : reference["cases"]) {
    const auto normalization = parse_normalization(c["normalization"].get<std::string>());
    const bool normalize = c["normalize"].get<bool>();
    SCOPED_TRACE(c["normalization"].get<std::string>() + (normalize ? " normalize" : " raw"));
    for (const auto& [key, value] : c["per_l"].items()) {
      const int l = std::stoi(key);
      const auto got = spherical_harmonics(single_degree(l), vectors, normalize, normalization);
      EXPECT_LT(scaled_error(got, testing::tensor_from_json(value)), 1e-12) << "l=" << l;
      ++checked;
    }
    const Irreps concat(c["concat_0to6_irreps"].get<std::string>());
    const auto got = spherical_harmonics(concat, vectors, normalize, normalization);
    EXPECT_LT(scaled_error(got, testing::tensor_from_json(c["concat_0to6"])), 1e-12);
    ++checked;
  }
  EXPECT_EQ(checked, 6 * 8);
}

TEST(SphericalHarmonics, LowDegreesHaveTheDocumentedForm) {
  const auto r = random_vectors(7, 1);
  const auto x = r.select(-1, 0), y = r.select(-1, 1), z = r.select(-1, 2);
  const auto sh = spherical_harmonics(2, r, false, ShNormalization::Component);
  EXPECT_LT(testing::max_abs_diff(sh.narrow(-1, 0, 1), at::ones({7, 1}, at::kDouble)), 1e-15);
  EXPECT_LT(testing::max_abs_diff(sh.narrow(-1, 1, 3), std::sqrt(3.0) * r), 1e-15);
  const double s15 = std::sqrt(15.0), s5 = std::sqrt(5.0);
  const auto l2 = at::stack({s15 * x * z, s15 * x * y, s5 * (y * y - (x * x + z * z) / 2), s15 * y * z,
                             s15 / 2 * (z * z - x * x)}, -1);
  EXPECT_LT(testing::max_abs_diff(sh.narrow(-1, 4, 5), l2), 1e-14);
}

TEST(SphericalHarmonics, NormalizationsOnTheSphereAndHomogeneity) {
  const auto r = random_vectors(40, 2);
  const auto unit = r / r.norm(2, {-1}, true);
  for (int l = 0; l <= 8; ++l) {
    SCOPED_TRACE(::testing::Message() << "l=" << l);
    const auto irreps = single_degree(l);
    const auto component = spherical_harmonics(irreps, r, true, ShNormalization::Component);
    EXPECT_LT((component.pow(2).sum(-1) - (2 * l + 1)).abs().max().item<double>(), 1e-12);
    const auto norm = spherical_harmonics(irreps, r, true, ShNormalization::Norm);
    EXPECT_LT(testing::max_abs_diff(norm, component / std::sqrt(2.0 * l + 1)), 1e-14);
    const auto integral = spherical_harmonics(irreps, r, true, ShNormalization::Integral);
    EXPECT_LT(testing::max_abs_diff(integral, component / std::sqrt(4.0 * M_PI)), 1e-14);
    // Unnormalised: homogeneous polynomial of degree l.
    const auto raw = spherical_harmonics(irreps, r, false, ShNormalization::Component);
    EXPECT_LT(scaled_error(raw, component * r.norm(2, {-1}, true).pow(l)), 1e-12);
    EXPECT_LT(testing::max_abs_diff(spherical_harmonics(irreps, unit, false, ShNormalization::Component),
                                    component), 1e-12);
  }
}

TEST(SphericalHarmonics, AreEquivariantUpToDegreeEight) {
  const auto r = random_vectors(20, 3);
  const auto rotation = random_rotation({}, 4);
  for (int l = 0; l <= 8; ++l) {
    SCOPED_TRACE(::testing::Message() << "l=" << l);
    for (const bool normalize : {true, false}) {
      const auto irreps = single_degree(l);
      const auto rotated = spherical_harmonics(irreps, at::matmul(r, rotation.t()), normalize,
                                               ShNormalization::Component);
      const auto expected = at::matmul(spherical_harmonics(irreps, r, normalize, ShNormalization::Component),
                                       wigner_D_from_matrix(l, rotation).t());
      EXPECT_LT(scaled_error(rotated, expected), 1e-11);
    }
    // Under inversion Y_l(-r) = (-1)^l Y_l(r), the parity of the irrep.
    const auto y = spherical_harmonics(l, r, true, ShNormalization::Component);
    EXPECT_LT(testing::max_abs_diff(spherical_harmonics(l, -r, true, ShNormalization::Component),
                                    at::matmul(y, irreps_D(Irreps::spherical_harmonics(l),
                                                           -at::eye(3, at::kDouble)).t())), 1e-13);
  }
}

TEST(SphericalHarmonics, BlocksFollowTheIrrepsOrder) {
  const auto r = random_vectors(5, 5);
  const auto all = spherical_harmonics(3, r, true, ShNormalization::Norm);
  ASSERT_EQ(all.sizes(), (std::vector<int64_t>{5, 16}));
  const auto picked = spherical_harmonics(Irreps("1x3o+2x1o+1x0e"), r, true, ShNormalization::Norm);
  const auto expected = at::cat({all.narrow(-1, 9, 7), all.narrow(-1, 1, 3), all.narrow(-1, 1, 3),
                                 all.narrow(-1, 0, 1)}, -1);
  EXPECT_TRUE(at::equal(picked, expected));
  // Pseudovector argument: all-even parities, same polynomials.
  EXPECT_TRUE(at::equal(spherical_harmonics(Irreps("1x1e+1x2e"), r, true, ShNormalization::Norm),
                        all.narrow(-1, 1, 8)));
  // Batch dimensions are kept.
  EXPECT_EQ(spherical_harmonics(2, r.reshape({5, 1, 3}), true, ShNormalization::Norm).sizes(),
            (std::vector<int64_t>{5, 1, 9}));
}

TEST(SphericalHarmonics, RejectsWhatE3nnRejects) {
  const auto r = random_vectors(2, 6);
  for (const char* bad : {"1x0o", "1x2o", "1x1o+1x1e", "1x1e+1x0o", "1x3e+1x2o"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(spherical_harmonics(Irreps(bad), r, true, ShNormalization::Component), Error);
  }
  EXPECT_THROW(spherical_harmonics(Irreps(""), r, true, ShNormalization::Component), Error);
  EXPECT_THROW(spherical_harmonics(2, at::ones({4, 2}, at::kDouble), true, ShNormalization::Component), Error);
  EXPECT_THROW(spherical_harmonics(2, at::ones({4, 3}, at::kLong), true, ShNormalization::Component), Error);
  EXPECT_NO_THROW(spherical_harmonics(Irreps("2x1e+0e"), r, true, ShNormalization::Component));
}

TEST(SphericalHarmonics, ZeroVectorGivesNoNaN) {
  auto r = at::zeros({1, 3}, at::kDouble).requires_grad_(true);
  const auto y = spherical_harmonics(4, r, true, ShNormalization::Integral);
  EXPECT_NEAR(y[0][0].item<double>(), 1.0 / std::sqrt(4.0 * M_PI), 1e-15);
  EXPECT_EQ(y.narrow(-1, 1, 24).abs().max().item<double>(), 0.0);
  const auto g = torch::autograd::grad({y.sum()}, {r}, {}, true, true)[0];
  EXPECT_TRUE(at::isfinite(g).all().item<bool>());
  const auto second = torch::autograd::grad({g.sum()}, {r})[0];
  EXPECT_TRUE(at::isfinite(second).all().item<bool>());
}

TEST(SphericalHarmonics, GradientMatchesFiniteDifferences) {
  const auto x0 = random_vectors(6, 7);
  const auto weights = at::randn({6, 81}, make_cpu_generator(8), at::kDouble);
  const double h = 1e-6;
  for (const bool normalize : {true, false}) {
    const auto x = x0.clone().requires_grad_(true);
    const auto analytic = gradient(x, weights, 8, normalize, false);
    auto numeric = at::zeros_like(x0);
    for (int i = 0; i < 3; ++i) {
      const auto step = at::zeros_like(x0);
      step.select(-1, i).fill_(h);
      const auto f = [&](const at::Tensor& v) {
        return (spherical_harmonics(8, v, normalize, ShNormalization::Component) * weights).sum(-1);
      };
      numeric.select(-1, i).copy_((f(x0 + step) - f(x0 - step)) / (2 * h));
    }
    EXPECT_LT(testing::max_rel_diff(analytic, numeric), 1e-7) << "normalize=" << normalize;
  }
}

TEST(SphericalHarmonics, SecondDerivativeMatchesFiniteDifferencesOfTheGradient) {
  const auto x0 = random_vectors(5, 9);
  const auto weights = at::randn({5, 25}, make_cpu_generator(10), at::kDouble);
  const auto direction = at::randn({5, 3}, make_cpu_generator(11), at::kDouble);
  const double h = 1e-5;
  for (const bool normalize : {true, false}) {
    // Hessian-vector product by double backward ...
    const auto x = x0.clone().requires_grad_(true);
    const auto g = gradient(x, weights, 4, normalize, true);
    const auto hessian_v = torch::autograd::grad({(g * direction).sum()}, {x})[0];
    // ... against central differences of the (first-order) autograd gradient.
    const auto plus = gradient((x0 + h * direction).requires_grad_(true), weights, 4, normalize, false);
    const auto minus = gradient((x0 - h * direction).requires_grad_(true), weights, 4, normalize, false);
    EXPECT_LT(testing::max_rel_diff(hessian_v, (plus - minus) / (2 * h)), 1e-6) << "normalize=" << normalize;
  }
}

TEST(SphericalHarmonics, UnnormalisedPolynomialsAreHarmonic) {
  // The Laplacian of every component vanishes; uses second derivatives through autograd.
  const auto x = random_vectors(4, 12).requires_grad_(true);
  const auto y = spherical_harmonics(4, x, false, ShNormalization::Component);
  for (int64_t c = 4; c < y.size(-1); ++c) {  // degrees 0 and 1 are trivially harmonic
    const auto g = torch::autograd::grad({y.select(-1, c).sum()}, {x}, {}, true, true)[0];
    at::Tensor laplacian = at::zeros({4}, at::kDouble);
    for (int i = 0; i < 3; ++i) {
      const auto gi = g.select(-1, i);
      const auto second = torch::autograd::grad({gi.sum()}, {x}, {}, true, true, true)[0];
      if (second.defined()) laplacian = laplacian + second.select(-1, i);
    }
    EXPECT_LT(laplacian.abs().max().item<double>(), 1e-12) << "component " << c;
  }
}

TEST(SphericalHarmonics, Float32AgreesWithFloat64) {
  const auto r = random_vectors(30, 13);
  for (const bool normalize : {true, false}) {
    const auto single = spherical_harmonics(8, r.to(at::kFloat), normalize, ShNormalization::Integral);
    EXPECT_EQ(single.scalar_type(), at::kFloat);
    const auto reference = spherical_harmonics(8, r, normalize, ShNormalization::Integral);
    EXPECT_LT(testing::max_rel_diff(single, reference), 1e-5);
  }
}

}  // namespace eqt::so3
