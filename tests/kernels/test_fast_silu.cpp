// eqt::kernels::fast_silu against LibTorch's composite at::silu: values in float64 and float32 over a
// wide range with the special values, derivatives up to the fourth order (gradients of gradients
// with respect to the input and to every upstream gradient) in float64, finite differences of
// each derivative order, and the fallback for dtypes without a kernel.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "eqt/kernels/fast_silu.h"
#include "support/gradient_check.h"

namespace eqt::kernels {
namespace {

using torch::autograd::grad;
using Activation = std::function<at::Tensor(const at::Tensor&)>;

// A dense sweep of [-120, 120], where float32 exp under- and overflows, plus special values.
at::Tensor wide_inputs(c10::ScalarType dtype) {
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  const at::Tensor special = at::tensor({0.0, -0.0, 1e-30, -1e-30, 1e-300, 88.0, -88.0, 104.0, -104.0, 700.0,
                                         -700.0, 800.0, -800.0, 1e30, -1e30, inf, -inf, nan}, at::kDouble);
  return at::cat({at::linspace(-120.0, 120.0, 48001, at::kDouble), special}).to(dtype);
}

TEST(FastSilu, Float64ValuesMatchAtSilu) {
  const at::Tensor x = wide_inputs(at::kDouble);
  const at::Tensor ours = fast_silu(x), reference = at::silu(x);
  EXPECT_TRUE(at::allclose(ours, reference, 1e-14, 1e-300, /*equal_nan=*/true));
  EXPECT_EQ(ours.isnan().sum().item<int64_t>(), reference.isnan().sum().item<int64_t>());
}

TEST(FastSilu, Float32ValuesMatchFloat64Reference) {
  const at::Tensor x = wide_inputs(at::kFloat);
  const at::Tensor ours = fast_silu(x);
  const at::Tensor exact = at::silu(x.to(at::kDouble));
  const at::Tensor finite = exact.isfinite();
  // Relative 1e-6, and absolute below the smallest normal float (results in the subnormal range).
  const at::Tensor error = (ours.to(at::kDouble) - exact).abs().masked_select(finite);
  const at::Tensor bound = (1e-6 * exact.abs() + 1e-38).masked_select(finite);
  EXPECT_TRUE((error <= bound).all().item<bool>()) << "worst excess " << (error - bound).max().item<double>();
  // inf, -inf and nan come out as at::silu's own float32 results do.
  const at::Tensor special = ~at::silu(x).isfinite();
  EXPECT_TRUE(at::allclose(ours.masked_select(special), at::silu(x).masked_select(special), 0.0, 0.0, true));
  // Large positive inputs give x, large negative ones (signed) zeros or subnormals.
  EXPECT_EQ(fast_silu(at::tensor({100.0f})).item<float>(), 100.0f);
  EXPECT_LE(std::abs(fast_silu(at::tensor({-100.0f})).item<float>()), 1e-38f);
}

// silu'(x) and silu''(x) in float32 through autograd, against float64 at::silu's, where the
// first and second derivatives cross zero only an absolute bound makes sense.
TEST(FastSilu, Float32DerivativesMatchFloat64Reference) {
  const at::Tensor x64 = at::linspace(-60.0, 60.0, 24001, at::kDouble);
  const auto derivatives = [](const at::Tensor& x0, const Activation& f) {
    const at::Tensor x = x0.detach().clone().requires_grad_(true);
    const at::Tensor first = grad({f(x).sum()}, {x}, {}, true, true)[0];
    const at::Tensor second = grad({first.sum()}, {x})[0];
    return std::vector<at::Tensor>{first.detach().to(at::kDouble), second.to(at::kDouble)};
  };
  const auto ours = derivatives(x64.to(at::kFloat), [](const at::Tensor& x) { return fast_silu(x); });
  const auto exact = derivatives(x64, [](const at::Tensor& x) { return at::silu(x); });
  for (std::size_t k = 0; k < ours.size(); ++k) {
    const at::Tensor excess = (ours[k] - exact[k]).abs() - (2e-6 * exact[k].abs() + 1e-7);
    EXPECT_LE(excess.max().item<double>(), 0.0) << "derivative " << k + 1;
  }
}

// Four rounds of differentiation of sum(f(x) * p1): each round takes the gradient of the last
// scalar with respect to x and all probes so far (with the graph kept), and contracts those
// gradients with fresh random probes into the next scalar. This reaches every backward of the
// three custom functions (with respect to each of their inputs) and the ATen third derivative.
std::vector<at::Tensor> nested_gradients(const Activation& f, const at::Tensor& x0, int orders) {
  at::manual_seed(11);
  std::vector<at::Tensor> leaves{x0.detach().clone().requires_grad_(true)};
  leaves.push_back(at::randn_like(x0).requires_grad_(true));
  at::Tensor scalar = (f(leaves[0]) * leaves[1]).sum();
  std::vector<at::Tensor> all;
  for (int order = 1; order <= orders; ++order) {
    const auto grads = grad({scalar}, leaves, {}, true, true, /*allow_unused=*/true);
    at::Tensor next = at::zeros({}, x0.options());
    const std::size_t count = leaves.size();
    for (std::size_t k = 0; k < count; ++k) {
      if (!grads[k].defined()) continue;
      all.push_back(grads[k].detach());
      leaves.push_back(at::randn_like(x0).requires_grad_(true));
      next = next + (grads[k] * leaves.back()).sum();
    }
    scalar = next;
  }
  return all;
}

TEST(FastSilu, Float64DerivativesToFourthOrderMatchAtSilu) {
  at::manual_seed(5);
  const at::Tensor x = at::cat({at::randn({300}, at::kDouble) * 4, at::tensor({0.0, 30.0, -30.0, 60.0, -60.0}, at::kDouble)})
                           .view({5, 61});
  const auto ours = nested_gradients([](const at::Tensor& t) { return fast_silu(t); }, x, 4);
  const auto reference = nested_gradients([](const at::Tensor& t) { return at::silu(t); }, x, 4);
  ASSERT_EQ(ours.size(), reference.size());
  ASSERT_GE(ours.size(), 10u);
  for (std::size_t k = 0; k < ours.size(); ++k) {
    const double scale = reference[k].abs().max().item<double>();
    EXPECT_LE((ours[k] - reference[k]).abs().max().item<double>(), 1e-12 * scale) << "gradient " << k;
  }
}

// n-th derivative of fast_silu at every x, by autograd (elementwise, so the gradient of the sum
// is the derivative itself).
at::Tensor derivative(const at::Tensor& x0, int n) {
  const at::Tensor x = x0.detach().clone().requires_grad_(true);
  at::Tensor value = fast_silu(x);
  for (int k = 0; k < n; ++k) value = grad({value.sum()}, {x}, {}, true, true)[0];
  return value.detach();
}

TEST(FastSilu, DerivativesMatchCentralDifferences) {
  const at::Tensor x = at::linspace(-12.0, 12.0, 241, at::kDouble);
  const double h = 1e-5;
  for (int n = 1; n <= 3; ++n) {
    const at::Tensor difference = (derivative(x + h, n - 1) - derivative(x - h, n - 1)) / (2 * h);
    EXPECT_LT((derivative(x, n) - difference).abs().max().item<double>(), 1e-8) << "order " << n;
  }
  const at::Tensor leaf = testing::leaf(at::randn({3, 4}) * 3);
  EXPECT_LT(testing::max_gradient_error([&] { return fast_silu(leaf); }, {leaf}), 1e-8);
}

TEST(FastSilu, StridedAndEmptyInputs) {
  const at::Tensor x = (at::randn({16, 24}, at::kDouble) * 5).t();
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_TRUE(at::allclose(fast_silu(x), at::silu(x), 1e-14, 1e-300));
  EXPECT_EQ(fast_silu(at::zeros({0, 3})).sizes(), (std::vector<int64_t>{0, 3}));
}

TEST(FastSilu, OtherDtypesFallBackToAtSilu) {
  const at::Tensor x = (at::randn({40}) * 6).to(at::kBFloat16).requires_grad_(true);
  const at::Tensor y = fast_silu(x);
  EXPECT_EQ(y.scalar_type(), at::kBFloat16);
  EXPECT_TRUE(at::equal(y, at::silu(x)));
  const at::Tensor g = grad({y.sum()}, {x})[0];
  EXPECT_TRUE(at::equal(g, grad({at::silu(x).sum()}, {x})[0]));
}

}  // namespace
}  // namespace eqt::kernels
