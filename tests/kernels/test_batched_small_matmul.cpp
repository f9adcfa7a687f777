#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>

#include "eqt/core/error.h"
#include "eqt/kernels/batched_small_matmul.h"
#include "support/gradient_check.h"

namespace eqt::kernels {
namespace {

using Product = std::function<at::Tensor(const at::Tensor&, const at::Tensor&)>;

// First and second derivatives of sum(probe * f(a, b)^2) through `f`, with the graph kept, as one
// flat vector: d/da, d/db, then the gradient of sum(dL/da * u) + sum(dL/db * v) again.
at::Tensor derivatives(const Product& f, const at::Tensor& a0, const at::Tensor& b0, const at::Tensor& probe) {
  const at::Tensor a = a0.detach().clone().set_requires_grad(true);
  const at::Tensor b = b0.detach().clone().set_requires_grad(true);
  const at::Tensor loss = (probe * f(a, b).square()).sum();
  const auto first = torch::autograd::grad({loss}, {a, b}, {}, true, true);
  const at::Tensor u = at::linspace(-1.0, 1.0, a.numel(), a.options()).view(a.sizes());
  const at::Tensor v = at::linspace(0.5, -0.5, b.numel(), b.options()).view(b.sizes());
  const auto second = torch::autograd::grad({(first[0] * u).sum() + (first[1] * v).sum()}, {a, b});
  return at::cat({first[0].reshape(-1), first[1].reshape(-1), second[0].reshape(-1), second[1].reshape(-1)}).detach();
}

TEST(BatchedSmallMatmul, MatchesBmmWithSecondDerivatives) {
  at::manual_seed(3);
  const auto options = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor a = at::randn({7, 5, 3}, options), b = at::randn({7, 3, 11}, options);
  const at::Tensor probe = at::randn({7, 5, 11}, options);
  EXPECT_TRUE(at::allclose(batched_small_mm(a, b), at::bmm(a, b), 1e-14, 1e-14));
  const Product ours = [](const at::Tensor& x, const at::Tensor& y) { return batched_small_mm(x, y); };
  const Product reference = [](const at::Tensor& x, const at::Tensor& y) { return at::bmm(x, y); };
  EXPECT_TRUE(at::allclose(derivatives(ours, a, b, probe), derivatives(reference, a, b, probe), 1e-12, 1e-12));
}

TEST(BatchedSmallMatmul, TransposedMatchesBmmWithSecondDerivatives) {
  at::manual_seed(4);
  const auto options = at::TensorOptions().dtype(at::kDouble);
  const at::Tensor a = at::randn({6, 4, 9}, options), b = at::randn({6, 2, 9}, options);
  const at::Tensor probe = at::randn({6, 4, 2}, options);
  EXPECT_TRUE(at::allclose(batched_small_mm_nt(a, b), at::bmm(a, b.transpose(1, 2)), 1e-14, 1e-14));
  const Product ours = [](const at::Tensor& x, const at::Tensor& y) { return batched_small_mm_nt(x, y); };
  const Product reference = [](const at::Tensor& x, const at::Tensor& y) { return at::bmm(x, y.transpose(1, 2)); };
  EXPECT_TRUE(at::allclose(derivatives(ours, a, b, probe), derivatives(reference, a, b, probe), 1e-12, 1e-12));
}

// Output widths that take every block of the kernels' row loop (32, 16, 8 and the scalar tail:
// 61 = 32 + 16 + 8 + 5; the nt product pads 21 columns to 24), in float32 and float64.
TEST(BatchedSmallMatmul, WideRowsMatchBmm) {
  at::manual_seed(8);
  for (const auto dtype : {at::kDouble, at::kFloat}) {
    const auto options = at::TensorOptions().dtype(dtype);
    const double tolerance = dtype == at::kDouble ? 1e-13 : 1e-5;
    const at::Tensor a = at::randn({5, 21, 32}, options), b = at::randn({5, 32, 61}, options);
    EXPECT_TRUE(at::allclose(batched_small_mm(a, b), at::bmm(a, b), tolerance, tolerance));
    const at::Tensor k = at::randn({5, 21, 32}, options);
    EXPECT_TRUE(at::allclose(batched_small_mm_nt(a, k), at::bmm(a, k.transpose(1, 2)), tolerance, tolerance));
  }
}

TEST(BatchedSmallMatmul, GradientMatchesFiniteDifferences) {
  at::manual_seed(5);
  const at::Tensor a = testing::leaf(at::randn({3, 2, 4}));
  const at::Tensor b = testing::leaf(at::randn({3, 4, 5}));
  EXPECT_LT(testing::max_gradient_error([&] { return batched_small_mm(a, b); }, {a, b}), 1e-8);
  EXPECT_LT(testing::max_gradient_error([&] { return batched_small_mm_nt(a, b.transpose(1, 2)); }, {a, b}), 1e-8);
}

TEST(BatchedSmallMatmul, StridedFloatAndEmptyInputs) {
  at::manual_seed(6);
  const at::Tensor a = at::randn({8, 3, 6}).transpose(1, 2);  // [8, 6, 3], not contiguous
  const at::Tensor b = at::randn({8, 3, 10});
  EXPECT_TRUE(at::allclose(batched_small_mm(a, b), at::bmm(a, b), 1e-5, 1e-6));
  EXPECT_EQ(batched_small_mm(at::zeros({0, 2, 3}), at::zeros({0, 3, 4})).sizes(), (std::vector<int64_t>{0, 2, 4}));
  EXPECT_THROW(batched_small_mm(at::zeros({2, 2, 3}), at::zeros({2, 4, 4})), Error);
}

}  // namespace
}  // namespace eqt::kernels
