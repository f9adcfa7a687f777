// eqt::kernels::fast_linear / fast_mm (oneDNN sgemm for float32 where built with it) against at::linear
// in float64 on the same values: forward, gradients, and the gradient of a gradient (the PET
// training step differentiates forces), for contiguous, transposed and strided operands.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "eqt/kernels/fast_linear.h"

namespace {

using torch::autograd::grad;

double relative_error(const at::Tensor& got, const at::Tensor& expected) {
  return ((got.to(at::kDouble) - expected).abs().max() / expected.abs().max().clamp_min(1e-30)).item<double>();
}

struct Leaves {
  at::Tensor x, w, b;
};

Leaves leaves(const Leaves& values, c10::ScalarType dtype) {
  return {values.x.to(dtype).requires_grad_(true), values.w.to(dtype).requires_grad_(true),
          values.b.to(dtype).requires_grad_(true)};
}

// d/d(x, w, b) of sum(probe2 * d/dx sum(silu(linear(x)) * probe)), and the first-order terms.
std::vector<at::Tensor> pipeline(const Leaves& l, const at::Tensor& probe, const at::Tensor& probe2, bool fast) {
  const at::Tensor y = fast ? eqt::kernels::fast_linear(l.x, l.w, l.b) : at::linear(l.x, l.w, l.b);
  const at::Tensor loss = (at::silu(y) * probe.to(y.scalar_type())).sum();
  const auto first = grad({loss}, {l.x, l.w, l.b}, {}, true, true);
  const at::Tensor second_loss = (first[0] * probe2.to(y.scalar_type())).sum();
  const auto second = grad({second_loss}, {l.x, l.w, l.b}, {}, false, false, true);
  return {y, first[0], first[1], first[2], second[0], second[1], second[2]};
}

void expect_matches(const at::Tensor& x_values) {
  at::manual_seed(1);
  const int64_t out = 7, in = x_values.size(-1);
  Leaves values{x_values.to(at::kDouble), at::randn({out, in}, at::kDouble), at::randn({out}, at::kDouble)};
  std::vector<int64_t> out_shape = x_values.sizes().vec();
  out_shape.back() = out;
  const at::Tensor probe = at::randn(out_shape, at::kDouble), probe2 = at::randn(x_values.sizes(), at::kDouble);
  const auto expected = pipeline(leaves(values, at::kDouble), probe, probe2, false);
  // The float32 operand keeps the layout of x_values (transposed / strided views).
  Leaves f32 = leaves(values, at::kFloat);
  if (!x_values.is_contiguous()) f32.x = x_values.detach().clone().requires_grad_(true);
  const auto got = pipeline(f32, probe, probe2, true);
  const char* names[] = {"y", "dx", "dw", "db", "d2x", "d2w", "d2b"};
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!expected[i].defined()) continue;
    ASSERT_TRUE(got[i].defined()) << names[i];
    EXPECT_LT(relative_error(got[i], expected[i]), 2e-5) << names[i];
  }
}

TEST(FastLinear, MatchesFloat64LinearWithGradientsOfGradients) {
  at::manual_seed(0);
  expect_matches(at::randn({33, 19}));
  expect_matches(at::randn({3, 5, 19}));
}

TEST(FastLinear, TransposedAndStridedOperands) {
  at::manual_seed(0);
  const at::Tensor transposed = at::randn({19, 33}).t();
  ASSERT_FALSE(transposed.is_contiguous());
  expect_matches(transposed);
  const at::Tensor strided = at::randn({33, 40}).narrow(1, 3, 19);
  ASSERT_FALSE(strided.is_contiguous());
  expect_matches(strided);
}

TEST(FastLinear, NoRowsAndNoBias) {
  const at::Tensor empty = eqt::kernels::fast_linear(at::zeros({0, 4}), at::ones({3, 4}), at::ones({3}));
  EXPECT_EQ(empty.sizes(), (std::vector<int64_t>{0, 3}));
  at::manual_seed(0);
  const at::Tensor x = at::randn({6, 4}), w = at::randn({3, 4});
  EXPECT_LT(relative_error(eqt::kernels::fast_linear(x, w, at::Tensor()), at::linear(x.to(at::kDouble), w.to(at::kDouble))),
            2e-6);
}

TEST(FastLinear, MatMulGradients) {
  at::manual_seed(0);
  const at::Tensor a64 = at::randn({9, 5}, at::kDouble), b64 = at::randn({5, 8}, at::kDouble);
  const at::Tensor a = a64.to(at::kFloat).requires_grad_(true), b = b64.to(at::kFloat).requires_grad_(true);
  const at::Tensor a_ref = a64.clone().requires_grad_(true), b_ref = b64.clone().requires_grad_(true);
  const at::Tensor probe = at::randn({9, 8}, at::kDouble);
  const at::Tensor y = eqt::kernels::fast_mm(a, b), y_ref = at::mm(a_ref, b_ref);
  EXPECT_LT(relative_error(y, y_ref), 2e-6);
  const auto g = grad({(y * probe.to(at::kFloat)).sum()}, {a, b});
  const auto g_ref = grad({(y_ref * probe).sum()}, {a_ref, b_ref});
  EXPECT_LT(relative_error(g[0], g_ref[0]), 2e-6);
  EXPECT_LT(relative_error(g[1], g_ref[1]), 2e-6);
}

}  // namespace
