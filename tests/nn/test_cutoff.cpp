// Cutoff functions against their closed forms evaluated with <cmath>, and smoothness at the
// cutoff via autograd (the property that makes forces continuous).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/nn/cutoff.h"
#include "support/radial_helpers.h"

namespace eqt::nn {
namespace {

const double kPi = std::acos(-1.0);

at::Tensor f64(const std::vector<double>& values) {
  return at::tensor(values, at::TensorOptions().dtype(at::kDouble));
}

// First and second derivative of f at the points x (elementwise f).
std::pair<at::Tensor, at::Tensor> derivatives(const std::function<at::Tensor(const at::Tensor&)>& f,
                                              const at::Tensor& points) {
  const auto x = points.clone().requires_grad_(true);
  const auto first = torch::autograd::grad({f(x).sum()}, {x}, {}, true, true)[0];
  const auto second = torch::autograd::grad({first.sum()}, {x})[0];
  return {first.detach(), second.detach()};
}

TEST(Cutoff, CosineMatchesFormulaAndVanishesBeyond) {
  const double rc = 5.0;
  const std::vector<double> d = {0.0, 0.3, 1.7, 2.5, 4.99, 5.0, 5.2, 9.0};
  const auto out = cosine_cutoff(f64(d), rc);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const double expected = d[i] < rc ? 0.5 * (std::cos(kPi * d[i] / rc) + 1.0) : 0.0;
    EXPECT_NEAR(out[i].item<double>(), expected, 1e-15) << "d=" << d[i];
  }
  EXPECT_DOUBLE_EQ(out[0].item<double>(), 1.0);
}

TEST(Cutoff, CosineWithLowerBoundIsABump) {
  const double lo = 1.0, hi = 3.0;
  const std::vector<double> d = {0.5, 1.0, 1.5, 2.0, 2.9, 3.0, 3.5};
  const auto out = cosine_cutoff(f64(d), hi, lo);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const bool inside = d[i] > lo && d[i] < hi;
    const double expected =
        inside ? 0.5 * (std::cos(kPi * (2.0 * (d[i] - lo) / (hi - lo) + 1.0)) + 1.0) : 0.0;
    EXPECT_NEAR(out[i].item<double>(), expected, 1e-15) << "d=" << d[i];
  }
  EXPECT_NEAR(out[3].item<double>(), 1.0, 1e-15);  // peak at the midpoint
}

TEST(Cutoff, CosineValueAndSlopeVanishAtCutoff) {
  const double rc = 4.0;
  const auto f = [&](const at::Tensor& x) { return cosine_cutoff(x, rc); };
  const auto [first, second] = derivatives(f, f64({rc - 1e-7, 2.0}));
  EXPECT_NEAR(f(f64({rc - 1e-7}))[0].item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(first[0].item<double>(), 0.0, 1e-6);
  // Away from the cutoff the autograd slope equals -pi/(2 rc) sin(pi d / rc).
  EXPECT_NEAR(first[1].item<double>(), -kPi / (2.0 * rc) * std::sin(kPi * 2.0 / rc), 1e-14);
  EXPECT_NEAR(second[1].item<double>(), -kPi * kPi / (2.0 * rc * rc) * std::cos(kPi * 2.0 / rc),
              1e-13);
}

TEST(Cutoff, PolynomialEnvelopeMatchesFormula) {
  for (const int p : {3, 5, 6}) {
    const double a = -(p + 1.0) * (p + 2.0) / 2.0, b = p * (p + 2.0), c = -p * (p + 1.0) / 2.0;
    const std::vector<double> x = {0.0, 0.1, 0.5, 0.9, 0.999, 1.0, 1.3};
    const auto out = polynomial_envelope(f64(x), p);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double expected = x[i] < 1.0 ? 1.0 + a * std::pow(x[i], p) + b * std::pow(x[i], p + 1) +
                                               c * std::pow(x[i], p + 2)
                                         : 0.0;
      EXPECT_NEAR(out[i].item<double>(), expected, 1e-14) << "p=" << p << " x=" << x[i];
    }
    EXPECT_DOUBLE_EQ(out[0].item<double>(), 1.0);
  }
}

TEST(Cutoff, PolynomialEnvelopeIsC2AtOne) {
  const auto f = [](const at::Tensor& x) { return polynomial_envelope(x, 5); };
  const double x_near = 1.0 - 1e-6;
  const auto [first, second] = derivatives(f, f64({x_near, 1.0 + 1e-6}));
  EXPECT_NEAR(f(f64({x_near}))[0].item<double>(), 0.0, 1e-12);
  EXPECT_NEAR(first[0].item<double>(), 0.0, 1e-8);
  EXPECT_NEAR(second[0].item<double>(), 0.0, 1e-3);
  EXPECT_EQ(first[1].item<double>(), 0.0);
  EXPECT_EQ(second[1].item<double>(), 0.0);
}

TEST(Cutoff, CosineSwitchMatchesFormulaAndIsC1) {
  const double rc = 4.0, width = 0.2;
  const std::vector<double> d = {1.0, 3.8, 3.85, 3.9, 3.99, 4.0, 4.5};
  const auto out = cosine_switch(f64(d), rc, width);
  for (std::size_t i = 0; i < d.size(); ++i) {
    double expected = 0.0;
    if (d[i] <= rc - width)
      expected = 1.0;
    else if (d[i] < rc)
      expected = 0.5 + 0.5 * std::cos(kPi * (d[i] - rc + width) / width);
    EXPECT_NEAR(out[i].item<double>(), expected, 1e-14) << "d=" << d[i];
  }
  const auto f = [&](const at::Tensor& x) { return cosine_switch(x, rc, width); };
  const auto slopes = derivatives(f, f64({rc - width + 1e-9, rc - 1e-9})).first;
  EXPECT_NEAR(slopes[0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(slopes[1].item<double>(), 0.0, 1e-6);
}

TEST(Cutoff, Float32AndBadArguments) {
  const auto d32 = at::tensor(std::vector<float>{0.5f, 2.0f, 6.0f});
  const auto out = cosine_cutoff(d32, 5.0);
  EXPECT_EQ(out.scalar_type(), at::kFloat);
  EXPECT_NEAR(out[1].item<float>(), 0.5 * (std::cos(kPi * 2.0 / 5.0) + 1.0), 1e-6);
  EXPECT_EQ(polynomial_envelope(d32 / 5.0, 5).scalar_type(), at::kFloat);
  EXPECT_THROW(cosine_cutoff(d32, -1.0), eqt::Error);
  EXPECT_THROW(polynomial_envelope(d32, 0), eqt::Error);
  EXPECT_THROW(cosine_switch(d32, 4.0, 0.0), eqt::Error);
  EXPECT_THROW(cosine_cutoff(at::tensor(std::vector<int64_t>{1, 2}), 5.0), eqt::Error);
}

}  // namespace
}  // namespace eqt::nn
