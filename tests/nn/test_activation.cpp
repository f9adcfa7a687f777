#include <cmath>

#include "eqt/core/error.h"
#include "eqt/nn/activation.h"
#include "support/reference.h"

namespace eqt::nn {
namespace {

// E[f(z)^2]^(-1/2) for z ~ N(0,1) by the trapezoidal rule on [-12, 12] (the Gaussian tail beyond
// is below 1e-30): an estimate independent of any random sample.
double quadrature_constant(const ScalarFunction& f) {
  const int64_t n = 240'001;
  const at::Tensor z = at::linspace(-12.0, 12.0, n, at::kDouble);
  const double step = 24.0 / static_cast<double>(n - 1);
  const at::Tensor density = at::exp(-z * z / 2.0) / std::sqrt(2.0 * M_PI);
  const at::Tensor integrand = f(z).pow(2) * density;
  const double integral =
      (integrand.sum().item<double>() - 0.5 * (integrand[0].item<double>() + integrand[-1].item<double>())) *
      step;
  return 1.0 / std::sqrt(integral);
}

TEST(Activation, Normalize2momConstantsMatchE3nn) {
  EQT_REQUIRE_SHARED(shared);
  const auto reference =
      testing::load_json(shared / "reference/e3nn/modules.json")["normalize2mom_constants"];
  ASSERT_GE(reference.size(), 6u);
  for (const auto& [name, entry] : reference.items()) {
    SCOPED_TRACE(name);
    const auto& act = normalized_activation(name);
    const double expected = entry["cst"].get<double>();
    EXPECT_NEAR(act.constant(), expected, 1e-12 * expected);
    EXPECT_EQ(act.is_identity(), entry["is_identity"].get<bool>());
  }
}

TEST(Activation, SmoothLeakyReluConstantMatchesEquiformer) {
  EQT_REQUIRE_SHARED(shared);
  const auto modules =
      testing::load_json(shared / "reference/equiformer/small_gat_linear_gaussian/modules.json");
  const auto& alpha_act = modules["blocks.0.ga.alpha_act"];
  ASSERT_EQ(alpha_act["acts"][0].get<std::string>(), "SmoothLeakyReLU");
  const double expected = alpha_act["cst"][0].get<double>();
  EXPECT_NEAR(normalized_activation("smooth_leaky_relu").constant(), expected, 1e-12 * expected);
}

TEST(Activation, SampleEstimateAgreesWithQuadrature) {
  for (const auto& name : activation_names()) {
    SCOPED_TRACE(name);
    const double sampled = normalized_activation(name).constant();
    const double exact = quadrature_constant(activation_function(name));
    // One million samples: the relative Monte-Carlo error of E[f^2] is about 1e-3.
    EXPECT_NEAR(sampled / exact, 1.0, 3e-3);
  }
}

TEST(Activation, AppliesConstantAndKeepsDtype) {
  const at::Tensor x = at::randn({7, 3}, at::kDouble);
  for (const auto& name : activation_names()) {
    SCOPED_TRACE(name);
    const auto& act = normalized_activation(name);
    const at::Tensor expected = activation_function(name)(x) * act.constant();
    EXPECT_LT(testing::max_abs_diff(act(x), expected), 1e-14);
    EXPECT_EQ(act(x.to(at::kFloat)).scalar_type(), at::kFloat);
    EXPECT_EQ(&act, &normalized_activation(name));  // cached, not recomputed
  }
}

TEST(Activation, SmoothLeakyReluDefinition) {
  const at::Tensor x = at::linspace(-6.0, 6.0, 101, at::kDouble);
  const at::Tensor expected = 0.6 * x + 0.4 * x * (2.0 * at::sigmoid(x) - 1.0);
  EXPECT_LT(testing::max_abs_diff(smooth_leaky_relu(x), expected), 1e-15);
  // Slope 1 is the identity, slope -1 is x*tanh(x/2) (an even function).
  EXPECT_LT(testing::max_abs_diff(smooth_leaky_relu(x, 1.0), x), 1e-15);
  EXPECT_LT(testing::max_abs_diff(smooth_leaky_relu(x, -1.0), x * at::tanh(x / 2.0)), 1e-14);
}

TEST(Activation, IdentityRuleAndParity) {
  const ScalarFunction linear = [](const at::Tensor& x) { return x * 1.0; };
  const double c = normalize2mom_constant(linear);
  const NormalizedActivation unit("unit", [c](const at::Tensor& x) { return x * c; });
  EXPECT_TRUE(unit.is_identity());
  const at::Tensor x = at::randn({11}, at::kDouble);
  EXPECT_TRUE(at::equal(unit(x), x * c));  // applied without a further factor
  EXPECT_EQ(normalized_activation("tanh").parity(), -1);
  EXPECT_EQ(normalized_activation("abs").parity(), 1);
  EXPECT_EQ(normalized_activation("silu").parity(), 0);
  EXPECT_THROW(normalized_activation("softsign"), Error);
}

}  // namespace
}  // namespace eqt::nn
