#include <gtest/gtest.h>
#include <torch/optim/adamw.h>

#include <vector>

#include "eqt/train/fused_adamw.h"

namespace eqt::train {
namespace {

// Runs `steps` updates of both optimisers on the same parameters and gradients.
template <typename Optimiser>
std::vector<torch::Tensor> run(std::vector<torch::Tensor> params, const torch::optim::AdamWOptions& options,
                               int steps, at::ScalarType dtype) {
  for (auto& p : params) p = p.to(dtype).detach().clone().set_requires_grad(true);
  Optimiser opt(params, options);
  for (int s = 0; s < steps; ++s) {
    opt.zero_grad();
    at::Tensor loss = at::zeros({}, params[0].options());
    for (const auto& p : params) loss = loss + (p.sin() * p).sum() * (1.0 + s);
    loss.backward();
    opt.step();
  }
  return params;
}

std::vector<torch::Tensor> parameters() {
  at::manual_seed(7);
  return {at::randn({40, 17}, at::kDouble), at::randn({33}, at::kDouble), at::randn({3, 4, 5}, at::kDouble)};
}

TEST(FusedAdamW, EqualsLibTorchAdamWInFloat64) {
  const auto options = torch::optim::AdamWOptions(3e-2).betas({0.85, 0.99}).eps(1e-7).weight_decay(0.05);
  const auto ours = run<FusedAdamW>(parameters(), options, 6, at::kDouble);
  const auto theirs = run<torch::optim::AdamW>(parameters(), options, 6, at::kDouble);
  for (std::size_t i = 0; i < ours.size(); ++i) {
    EXPECT_TRUE(at::allclose(ours[i], theirs[i], 1e-14, 1e-15)) << "parameter " << i;
    EXPECT_FALSE(at::allclose(ours[i], parameters()[i], 1e-3, 1e-3)) << "parameter " << i << " did not move";
  }
}

TEST(FusedAdamW, EqualsLibTorchAdamWInFloat32) {
  const auto options = torch::optim::AdamWOptions(1e-2).weight_decay(0.01);
  const auto ours = run<FusedAdamW>(parameters(), options, 4, at::kFloat);
  const auto theirs = run<torch::optim::AdamW>(parameters(), options, 4, at::kFloat);
  for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_TRUE(at::allclose(ours[i], theirs[i], 1e-6, 1e-7));
}

TEST(FusedAdamW, AmsgradTakesLibTorchsPathWithTheSameResult) {
  const auto options = torch::optim::AdamWOptions(1e-2).amsgrad(true);
  const auto ours = run<FusedAdamW>(parameters(), options, 3, at::kDouble);
  const auto theirs = run<torch::optim::AdamW>(parameters(), options, 3, at::kDouble);
  for (std::size_t i = 0; i < ours.size(); ++i) EXPECT_TRUE(at::equal(ours[i], theirs[i]));
}

// The moments and step counts live where LibTorch's AdamW looks for them (so checkpoints and a
// switch between the two carry on): three fused steps then two of LibTorch's = five of LibTorch's.
TEST(FusedAdamW, SharesItsStateWithLibTorchsAdamW) {
  const auto options = torch::optim::AdamWOptions(2e-2).weight_decay(0.1);
  std::vector<torch::Tensor> params = parameters();
  for (auto& p : params) p = p.detach().clone().set_requires_grad(true);
  FusedAdamW opt(params, options);
  for (int s = 0; s < 5; ++s) {
    opt.zero_grad();
    at::Tensor loss = at::zeros({}, params[0].options());
    for (const auto& p : params) loss = loss + (p.sin() * p).sum() * (1.0 + s);
    loss.backward();
    if (s < 3) {
      opt.step();
    } else {
      opt.torch::optim::AdamW::step();
    }
  }
  const auto theirs = run<torch::optim::AdamW>(parameters(), options, 5, at::kDouble);
  for (std::size_t i = 0; i < params.size(); ++i) EXPECT_TRUE(at::allclose(params[i], theirs[i], 1e-14, 1e-15));
}

}  // namespace
}  // namespace eqt::train
