// eqt::kernels::fast_layer_norm against LibTorch's at::layer_norm: values in float64 and float32,
// derivatives up to the third order (gradients of gradients with respect to x, gamma, beta and
// every upstream gradient) in float64, the force-then-loss pattern of a training step, central
// finite differences of the hand-derived second derivative, shapes, strides and the fallback.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>
#include <vector>

#include "eqt/kernels/fast_layer_norm.h"
#include "support/gradient_check.h"

namespace eqt::kernels {
namespace {

using torch::autograd::grad;
using Norm = std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>;

constexpr double kEps = 1e-5;

at::Tensor ours(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) { return fast_layer_norm(x, w, b, kEps); }
at::Tensor reference(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  return at::layer_norm(x, {x.size(-1)}, w, b, kEps);
}

// Layer norm from elementary differentiable ops: the reference for third derivatives, where
// LibTorch 1.13's at::layer_norm is off (its third derivative with respect to x disagrees with
// finite differences of its own second derivative by ~20%).
at::Tensor elementary(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  const at::Tensor centred = x - x.mean(-1, /*keepdim=*/true);
  return centred * at::rsqrt((centred * centred).mean(-1, /*keepdim=*/true) + kEps) * w + b;
}

double relative_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / (1.0 + b.abs().max().item<double>());
}

struct Inputs {
  at::Tensor x, w, b;
};

Inputs random_inputs(std::vector<int64_t> shape, c10::ScalarType dtype = at::kDouble) {
  const int64_t d = shape.back();
  return {(at::randn(shape, at::kDouble) * 2 + 0.5).to(dtype), (at::randn({d}, at::kDouble) + 1).to(dtype),
          at::randn({d}, at::kDouble).to(dtype)};
}

// Rounds of differentiation of sum(f(x, w, b) * g): each round takes the gradient of the last
// scalar with respect to x, w, b, g and all probes so far (graph kept), and contracts those
// gradients with fresh random probes into the next scalar. `first_wrt_x_only` takes the first
// round with respect to x alone, as the force pass of a training step does.
std::vector<at::Tensor> nested_gradients(const Norm& f, const Inputs& in, int orders, bool first_wrt_x_only = false) {
  at::manual_seed(11);
  std::vector<at::Tensor> leaves{in.x.detach().clone().requires_grad_(true), in.w.detach().clone().requires_grad_(true),
                                 in.b.detach().clone().requires_grad_(true)};
  // Probes drawn in float64 whatever the dtype, so that float32 runs see the same ones.
  const auto probe = [](const at::Tensor& like) {
    return at::randn(like.sizes(), at::kDouble).to(like.scalar_type()).requires_grad_(true);
  };
  leaves.push_back(probe(in.x));
  at::Tensor scalar = (f(leaves[0], leaves[1], leaves[2]) * leaves[3]).sum();
  std::vector<at::Tensor> all;
  for (int order = 1; order <= orders; ++order) {
    const std::vector<at::Tensor> wrt =
        order == 1 && first_wrt_x_only ? std::vector<at::Tensor>{leaves[0]} : leaves;
    // The last round without create_graph: that is where the hand-written kernels run.
    const auto grads = grad({scalar}, wrt, {}, true, /*create_graph=*/order < orders, /*allow_unused=*/true);
    at::Tensor next = at::zeros({}, in.x.options());
    for (std::size_t k = 0; k < wrt.size(); ++k) {
      if (!grads[k].defined()) continue;
      all.push_back(grads[k].detach());
      leaves.push_back(probe(grads[k]));
      next = next + (grads[k] * leaves.back()).sum();
    }
    scalar = next;
  }
  return all;
}

void expect_same_gradients(const Inputs& in, int orders, double tolerance, bool first_wrt_x_only = false,
                           const Norm& expected = reference) {
  const auto mine = nested_gradients(ours, in, orders, first_wrt_x_only);
  const auto theirs = nested_gradients(expected, in, orders, first_wrt_x_only);
  ASSERT_EQ(mine.size(), theirs.size());
  for (std::size_t k = 0; k < mine.size(); ++k) {
    EXPECT_LE(relative_error(mine[k], theirs[k]), tolerance) << "gradient " << k;
  }
}

TEST(FastLayerNorm, Float64ValuesMatchAtLayerNorm) {
  at::manual_seed(1);
  for (const auto& shape : std::vector<std::vector<int64_t>>{{37, 128}, {3, 5, 13}, {1, 1}, {0, 8}}) {
    const Inputs in = random_inputs(shape);
    const at::Tensor y = ours(in.x, in.w, in.b);
    EXPECT_EQ(y.sizes(), in.x.sizes());
    if (y.numel() > 0) EXPECT_LE(relative_error(y, reference(in.x, in.w, in.b)), 1e-14) << c10::str(in.x.sizes());
  }
}

TEST(FastLayerNorm, StridedInput) {
  at::manual_seed(2);
  const Inputs in = random_inputs({24, 40});
  const at::Tensor x = in.x.t();  // [40, 24], not contiguous
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_LE(relative_error(ours(x, in.w.narrow(0, 0, 24), in.b.narrow(0, 0, 24)),
                           reference(x, in.w.narrow(0, 0, 24), in.b.narrow(0, 0, 24))),
            1e-14);
  expect_same_gradients({x, in.w.narrow(0, 0, 24), in.b.narrow(0, 0, 24)}, 2, 1e-12);
}

TEST(FastLayerNorm, Float64FirstAndSecondDerivativesMatchAtLayerNorm) {
  at::manual_seed(3);
  expect_same_gradients(random_inputs({37, 128}), 2, 1e-12);
  expect_same_gradients(random_inputs({3, 5, 13}), 2, 1e-12);
}

TEST(FastLayerNorm, ForceThenLossPatternMatchesAtLayerNorm) {
  at::manual_seed(4);
  expect_same_gradients(random_inputs({29, 128}), 2, 1e-12, /*first_wrt_x_only=*/true);
}

// The backward of the input gradient asked for one input at a time (the kernel skips the rest).
TEST(FastLayerNorm, SecondDerivativesOneInputAtATime) {
  at::manual_seed(9);
  const Inputs in = random_inputs({21, 40});
  const at::Tensor g0 = at::randn({21, 40}, at::kDouble), c = at::randn({21, 40}, at::kDouble);
  for (int which = 0; which < 3; ++which) {
    std::vector<at::Tensor> results;
    for (const Norm& f : std::vector<Norm>{ours, reference}) {
      const at::Tensor x = in.x.clone().requires_grad_(true), w = in.w.clone().requires_grad_(true);
      const at::Tensor g = g0.clone().requires_grad_(true);
      const at::Tensor dx = grad({(f(x, w, in.b) * g).sum()}, {x}, {}, true, true)[0];
      results.push_back(grad({(dx * c).sum()}, {std::vector<at::Tensor>{x, w, g}[which]})[0]);
    }
    EXPECT_LE(relative_error(results[0], results[1]), 1e-12) << "input " << which;
  }
}

TEST(FastLayerNorm, ThirdDerivativesMatchAtLayerNorm) {
  at::manual_seed(5);
  const Inputs in = random_inputs({6, 17});
  expect_same_gradients(in, 2, 1e-12, false, elementary);  // the reference agrees with at::layer_norm
  expect_same_gradients(in, 3, 1e-11, false, elementary);
}

TEST(FastLayerNorm, Float32AgreesWithFloat64) {
  at::manual_seed(6);
  const Inputs in64 = random_inputs({50, 128});
  const Inputs in32{in64.x.to(at::kFloat), in64.w.to(at::kFloat), in64.b.to(at::kFloat)};
  const auto mine = nested_gradients(ours, in32, 2, true);
  const auto exact = nested_gradients(reference, in64, 2, true);
  ASSERT_EQ(mine.size(), exact.size());
  for (std::size_t k = 0; k < mine.size(); ++k) {
    EXPECT_LE(relative_error(mine[k].to(at::kDouble), exact[k]), 2e-5) << "gradient " << k;
  }
  EXPECT_LE(relative_error(ours(in32.x, in32.w, in32.b).to(at::kDouble), reference(in64.x, in64.w, in64.b)), 1e-6);
}

// The hand-derived backward of the input gradient (with respect to x above all) against central
// differences of the input gradient itself.
TEST(FastLayerNorm, InputGradientMatchesCentralDifferences) {
  at::manual_seed(7);
  const Inputs in = random_inputs({3, 9});
  const at::Tensor x = testing::leaf(in.x), w = testing::leaf(in.w), g = testing::leaf(at::randn({3, 9}));
  const at::Tensor b = in.b;
  const auto input_gradient = [&] {
    at::AutoGradMode enable(true);  // also inside the finite differences, which run without grad
    return grad({(fast_layer_norm(x, w, b, kEps) * g).sum()}, {x}, {}, true, /*create_graph=*/true)[0];
  };
  EXPECT_LT(testing::max_gradient_error(input_gradient, {x, w, g}), 1e-7);
}

// d^2/dx^2 of the input gradient's contraction with a probe, against central differences.
TEST(FastLayerNorm, ThirdDerivativeMatchesCentralDifferences) {
  at::manual_seed(8);
  const at::Tensor x = testing::leaf(at::randn({3, 9}) * 2), w = testing::leaf(at::randn({9}) + 1);
  const at::Tensor g = testing::leaf(at::randn({3, 9}));
  const at::Tensor b = at::randn({9}, at::kDouble), c = at::randn({3, 9}, at::kDouble);
  const auto second = [&] {
    at::AutoGradMode enable(true);
    const at::Tensor dx = grad({(fast_layer_norm(x, w, b, kEps) * g).sum()}, {x}, {}, true, true)[0];
    return grad({(dx * c).sum()}, {x}, {}, true, true)[0];
  };
  EXPECT_LT(testing::max_gradient_error(second, {x, w, g}), 1e-7);
}

TEST(FastLayerNorm, OtherDtypesFallBack) {
  const at::Tensor x = at::randn({4, 8}).to(at::kBFloat16);
  const at::Tensor w = at::ones({8}, at::kBFloat16), b = at::zeros({8}, at::kBFloat16);
  EXPECT_TRUE(at::equal(fast_layer_norm(x, w, b, kEps), at::layer_norm(x, {8}, w, b, kEps)));
  // Mismatched parameters are left to at::layer_norm, which rejects them.
  const at::Tensor xd = at::randn({4, 8}, at::kDouble);
  EXPECT_ANY_THROW(fast_layer_norm(xd, at::ones({7}, at::kDouble), at::zeros({7}, at::kDouble), kEps));
  EXPECT_ANY_THROW(fast_layer_norm(xd, at::ones({8}, at::kFloat), at::zeros({8}, at::kFloat), kEps));
}

}  // namespace
}  // namespace eqt::kernels
