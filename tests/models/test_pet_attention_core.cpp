// PET's fused attention core (hand-written kernels) against the composite one (ATen ops on the
// padded grid, checked against the official reference outputs by test_pet_reference): values,
// gradients, and gradients of gradients (which the fused core hands back to the composite one).
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>

#include "eqt/models/pet/attention_core.h"
#include "eqt/models/pet/token_rows.h"

namespace eqt::models::pet {
namespace {

using Core = std::function<at::Tensor(const at::Tensor&, const TokenRows&, const at::Tensor&, int64_t)>;

struct Case {
  TokenRows rows;
  at::Tensor qkv, key_weights, probe;
  int64_t heads = 2;
};

// Rows of 1 to 6 neighbours plus a central token, padding elsewhere; zero key weights on padding
// as PET's cutoff multipliers have.
Case make_case(c10::ScalarType dtype, int64_t seed) {
  at::manual_seed(seed);
  const auto options = at::TensorOptions().dtype(dtype);
  const at::Tensor counts = at::tensor({6, 1, 4, 6, 3}, at::kLong);
  const int64_t n = counts.size(0), k = 6, d = 8;
  const at::Tensor padding = at::arange(k, at::kLong).unsqueeze(0) >= counts.unsqueeze(1);
  Case c;
  c.rows = pack_tokens(padding, /*central_token=*/true).tokens;
  c.qkv = at::randn({c.rows.size(), 3 * d}, options);
  const at::Tensor neighbours = (at::rand({n, k}, options) + 0.1).masked_fill(padding, 0.0);
  c.key_weights = at::cat({at::ones({n, 1}, options), neighbours}, 1);
  c.probe = at::randn({c.rows.size(), d}, options);
  return c;
}

// sum(probe * core^2), its gradients, and the gradient of a fixed combination of those.
at::Tensor derivatives(const Core& core, const Case& c) {
  const at::Tensor qkv = c.qkv.detach().clone().set_requires_grad(true);
  const at::Tensor weights = c.key_weights.detach().clone().set_requires_grad(true);
  const at::Tensor loss = (c.probe * core(qkv, c.rows, weights, c.heads).square()).sum();
  const auto first = torch::autograd::grad({loss}, {qkv, weights}, {}, true, true);
  const at::Tensor u = at::linspace(-1.0, 1.0, qkv.numel(), qkv.options()).view(qkv.sizes());
  const at::Tensor v = at::linspace(0.5, -0.5, weights.numel(), weights.options()).view(weights.sizes());
  const auto second = torch::autograd::grad({(first[0] * u).sum() + (first[1] * v).sum()}, {qkv, weights});
  return at::cat({first[0].reshape(-1), first[1].reshape(-1), second[0].reshape(-1), second[1].reshape(-1)}).detach();
}

// Gradients without create_graph: the fused core's own backward kernel.
std::vector<at::Tensor> first_derivatives(const Core& core, const Case& c) {
  const at::Tensor qkv = c.qkv.detach().clone().set_requires_grad(true);
  const at::Tensor weights = c.key_weights.detach().clone().set_requires_grad(true);
  const at::Tensor loss = (c.probe * core(qkv, c.rows, weights, c.heads).square()).sum();
  return torch::autograd::grad({loss}, {qkv, weights});
}

const Core kFused = [](const at::Tensor& q, const TokenRows& r, const at::Tensor& w, int64_t h) {
  return attention_core_fused(q, r, w, h);
};
const Core kComposite = [](const at::Tensor& q, const TokenRows& r, const at::Tensor& w, int64_t h) {
  return attention_core_composite(q, r, w, h);
};

TEST(PetAttentionCore, FusedEqualsCompositeInFloat64) {
  const Case c = make_case(at::kDouble, 1);
  EXPECT_TRUE(at::allclose(kFused(c.qkv, c.rows, c.key_weights, c.heads),
                           kComposite(c.qkv, c.rows, c.key_weights, c.heads), 1e-13, 1e-13));
  const auto fused = first_derivatives(kFused, c), composite = first_derivatives(kComposite, c);
  EXPECT_TRUE(at::allclose(fused[0], composite[0], 1e-12, 1e-12));
  EXPECT_TRUE(at::allclose(fused[1], composite[1], 1e-12, 1e-12));
}

TEST(PetAttentionCore, SecondDerivativesEqualComposite) {
  const Case c = make_case(at::kDouble, 2);
  EXPECT_TRUE(at::allclose(derivatives(kFused, c), derivatives(kComposite, c), 1e-11, 1e-11));
}

TEST(PetAttentionCore, FusedGradientMatchesFiniteDifferences) {
  const Case c = make_case(at::kDouble, 3);
  const auto grads = first_derivatives(kFused, c);
  const auto loss = [&](const at::Tensor& qkv, const at::Tensor& w) {
    return (c.probe * kFused(qkv, c.rows, w, c.heads).square()).sum().item<double>();
  };
  const double h = 1e-6;
  for (const int64_t flat : {0L, 7L, 29L, 100L}) {
    at::Tensor plus = c.qkv.clone(), minus = c.qkv.clone();
    plus.view(-1)[flat] += h;
    minus.view(-1)[flat] -= h;
    EXPECT_NEAR(grads[0].view(-1)[flat].item<double>(), (loss(plus, c.key_weights) - loss(minus, c.key_weights)) / (2 * h),
                1e-7);
  }
  for (const int64_t flat : {1L, 9L, 22L}) {  // real neighbours' key weights
    at::Tensor plus = c.key_weights.clone(), minus = c.key_weights.clone();
    plus.view(-1)[flat] += h;
    minus.view(-1)[flat] -= h;
    EXPECT_NEAR(grads[1].view(-1)[flat].item<double>(), (loss(c.qkv, plus) - loss(c.qkv, minus)) / (2 * h), 1e-7);
  }
}

TEST(PetAttentionCore, FusedFloat32AgreesWithFloat64) {
  const Case c = make_case(at::kDouble, 4);
  const at::Tensor exact = kComposite(c.qkv, c.rows, c.key_weights, c.heads);
  const at::Tensor single = kFused(c.qkv.to(at::kFloat), c.rows, c.key_weights.to(at::kFloat), c.heads);
  EXPECT_TRUE(at::allclose(single.to(at::kDouble), exact, 1e-5, 1e-5));
}

}  // namespace
}  // namespace eqt::models::pet
