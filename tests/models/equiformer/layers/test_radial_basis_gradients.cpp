// Autograd derivatives of the radial bases and of RadialProfile against central finite
// differences in float64: d/dd and d2/dd2 of every basis (force training differentiates the
// forces again), and gradients with respect to the trainable parameters.
#include <gtest/gtest.h>

#include <vector>

#include "eqt/models/equiformer/layers/bessel_basis.h"
#include "eqt/models/equiformer/layers/exp_normal_basis.h"
#include "eqt/models/equiformer/layers/gaussian_basis.h"
#include "eqt/models/equiformer/layers/radial_mlp.h"
#include "support/reference.h"
#include "support/radial_helpers.h"

namespace eqt::models::equiformer {
namespace {

using Fn = std::function<at::Tensor(const at::Tensor&)>;

at::Tensor sample_distances() {
  return at::tensor(std::vector<double>{0.45, 1.1, 1.9, 2.75, 3.6, 4.4, 4.93},
                    at::TensorOptions().dtype(at::kDouble));
}

std::vector<std::shared_ptr<RadialBasis>> all_bases() {
  at::manual_seed(11);
  return {std::make_shared<GaussianRadialBasis>(12, 5.0, at::kDouble),
          std::make_shared<ExpNormalBasis>(12, 5.0, 0.0, false, at::kDouble),
          std::make_shared<BesselBasis>(12, 5.0, 5, at::kDouble)};
}

TEST(RadialBasisGradients, FirstDerivativeMatchesFiniteDifference) {
  for (const auto& basis : all_bases()) {
    const auto d = sample_distances().requires_grad_(true);
    const auto probe = at::randn({d.size(0), basis->num_basis()}, d.options());
    const Fn f = [&](const at::Tensor& x) { return basis->forward(x); };
    const auto analytic = testing::autograd_derivative(f, d, probe);
    const auto numeric = testing::finite_difference(f, d, probe, 1e-6);
    EXPECT_LT(testing::max_abs_diff(analytic, numeric),
              1e-7 * (1.0 + numeric.abs().max().item<double>()))
        << basis->name();
  }
}

TEST(RadialBasisGradients, SecondDerivativeMatchesFiniteDifference) {
  for (const auto& basis : all_bases()) {
    const auto d = sample_distances().requires_grad_(true);
    const auto probe = at::randn({d.size(0), basis->num_basis()}, d.options());
    const Fn f = [&](const at::Tensor& x) { return basis->forward(x); };
    // g(x) = d/dx sum(f(x) * probe), elementwise in x; its derivative is the second derivative.
    const auto first = testing::autograd_derivative(f, d, probe, /*create_graph=*/true);
    const auto ones = at::ones_like(first);
    const auto analytic = torch::autograd::grad({(first * ones).sum()}, {d})[0];
    const Fn g = [&](const at::Tensor& x) {
      const auto leaf = x.detach().requires_grad_(true);
      return testing::autograd_derivative(f, leaf, probe).detach();
    };
    const auto numeric = testing::finite_difference(g, d, ones, 1e-5);
    EXPECT_LT(testing::max_abs_diff(analytic, numeric),
              1e-6 * (1.0 + numeric.abs().max().item<double>()))
        << basis->name();
  }
}

// Gradient of sum(module(input) * probe) w.r.t. each parameter vs finite differences.
void check_parameter_gradients(torch::nn::Module& module, const Fn& forward,
                               const at::Tensor& input, double tolerance) {
  const auto probe = at::randn_like(forward(input).detach());
  for (auto& item : module.named_parameters()) {
    at::Tensor& param = item.value();
    const auto out = (forward(input) * probe).sum();
    const auto analytic = torch::autograd::grad({out}, {param})[0];
    at::NoGradGuard no_grad;
    auto flat = param.view({-1});
    auto numeric = at::zeros_like(flat);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double saved = flat[i].item<double>();
      flat[i] = saved + 1e-6;
      const double plus = (forward(input) * probe).sum().item<double>();
      flat[i] = saved - 1e-6;
      const double minus = (forward(input) * probe).sum().item<double>();
      flat[i] = saved;
      numeric[i] = (plus - minus) / 2e-6;
    }
    EXPECT_LT(testing::max_abs_diff(analytic.reshape({-1}), numeric),
              tolerance * (1.0 + numeric.abs().max().item<double>()))
        << item.key();
  }
}

TEST(RadialBasisGradients, ParameterGradientsMatchFiniteDifference) {
  const auto d = sample_distances();
  GaussianRadialBasis gaussian(6, 5.0, at::kDouble);
  check_parameter_gradients(
      gaussian, [&](const at::Tensor& x) { return gaussian.forward(x); }, d, 1e-7);
  BesselBasis bessel(6, 5.0, 5, at::kDouble);
  check_parameter_gradients(
      bessel, [&](const at::Tensor& x) { return bessel.forward(x); }, d, 1e-7);
  ExpNormalBasis exp_normal(6, 5.0, 0.0, /*trainable=*/true, at::kDouble);
  check_parameter_gradients(
      exp_normal, [&](const at::Tensor& x) { return exp_normal.forward(x); }, d, 1e-7);
}

TEST(RadialBasisGradients, RadialProfileGradientsMatchFiniteDifference) {
  at::manual_seed(5);
  RadialProfile mlp({6, 5, 4, 9}, true, true, at::kDouble);
  {
    at::NoGradGuard no_grad;  // move LayerNorm affines off their trivial init
    for (auto& item : mlp.named_parameters()) item.value().add_(0.1 * at::randn_like(item.value()));
  }
  const auto input = at::randn({5, 6}, at::TensorOptions().dtype(at::kDouble)).requires_grad_(true);
  const Fn f = [&](const at::Tensor& x) { return mlp.forward(x); };
  check_parameter_gradients(mlp, f, input.detach(), 1e-7);
  const auto probe = at::randn({5, 9}, input.options());
  const auto analytic = testing::autograd_derivative(f, input, probe);
  const auto numeric = testing::finite_difference(f, input, probe, 1e-6);
  EXPECT_LT(testing::max_abs_diff(analytic, numeric),
            1e-7 * (1.0 + numeric.abs().max().item<double>()));
}

}  // namespace
}  // namespace eqt::models::equiformer
