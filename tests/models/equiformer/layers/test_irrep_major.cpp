// The IrrepMajor fast paths (depthwise product -> Linear without the flat layout) against the flat
// paths, which test_tensor_product / test_linear check against e3nn: values, and first and second
// derivatives (the training step differentiates the forces once more).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include "eqt/models/equiformer/layers/linear_rescale.h"
#include "eqt/models/equiformer/layers/tensor_product_rescale.h"

namespace eqt::models::equiformer {
namespace {

struct Fixture {
  std::shared_ptr<TensorProductRescale> dtp;
  std::shared_ptr<LinearRS> lin;
  at::Tensor x1, x2, w;
};

Fixture make_fixture() {
  at::manual_seed(7);
  Fixture s;
  const so3::Irreps in("6x0e+4x1e+3x2e+2x1o"), sh("1x0e+1x1e+1x2e"), out("5x0e+3x1e+2x2e+2x1o");
  s.dtp = depthwise_tensor_product(in, sh, out, /*internal_weights=*/false, at::kDouble);
  s.lin = std::make_shared<LinearRS>(s.dtp->irreps_out().simplify(), out, true, at::kDouble);
  {
    at::NoGradGuard no_grad;
    s.lin->bias->parameters()[0].normal_();
  }
  const auto options = at::TensorOptions().dtype(at::kDouble);
  s.x1 = at::randn({11, in.dim()}, options).requires_grad_(true);
  s.x2 = at::randn({11, sh.dim()}, options).requires_grad_(true);
  s.w = at::randn({11, s.dtp->weight_numel()}, options).requires_grad_(true);
  return s;
}

TEST(IrrepMajor, DepthwiseProductMatchesFlatLayout) {
  const Fixture s = make_fixture();
  const at::Tensor flat = s.dtp->forward(s.x1, s.x2, s.w);
  const nn::IrrepMajor fast = s.dtp->forward_irrep_major(s.x1, s.x2, s.w);
  EXPECT_TRUE(at::allclose(nn::from_irrep_major(s.dtp->irreps_out(), fast), flat, 1e-13, 1e-13));
  EXPECT_TRUE(at::allclose(nn::from_irrep_major(s.dtp->irreps_out(), nn::to_irrep_major(s.dtp->irreps_out(), flat)), flat, 0, 0));
}

TEST(IrrepMajor, LinearAfterDepthwiseMatchesFlatWithSecondDerivatives) {
  const Fixture s = make_fixture();
  const auto run = [&](bool fast) {
    const at::Tensor y = fast ? s.lin->forward(s.dtp->forward_irrep_major(s.x1, s.x2, s.w))
                              : s.lin->forward(s.dtp->forward(s.x1, s.x2, s.w));
    const at::Tensor energy = (y * y.sin()).sum();
    const auto first = torch::autograd::grad({energy}, {s.x1, s.x2, s.w}, /*grad_outputs=*/{}, /*retain_graph=*/true,
                                             /*create_graph=*/true);
    const at::Tensor loss = first[0].square().sum() + first[1].square().sum() + first[2].pow(3).sum();
    auto second = torch::autograd::grad({loss}, {s.x1, s.x2, s.w, s.lin->tp->weight});
    second.insert(second.begin(), y.detach());
    return second;
  };
  const auto a = run(false), b = run(true);
  for (std::size_t k = 0; k < a.size(); ++k) {
    SCOPED_TRACE(k);
    EXPECT_TRUE(at::allclose(a[k], b[k], 1e-12, 1e-12));
  }
}

TEST(IrrepMajor, LinearReadsMissingChannelsAsZero) {
  const Fixture s = make_fixture();
  const nn::IrrepMajor full = s.dtp->forward_irrep_major(s.x1, s.x2, s.w);
  nn::IrrepMajor truncated;  // only the first piece of each irrep; the rest is zero
  for (std::size_t k = 0; k < full.irreps.size(); ++k) {
    if (k == 1) continue;  // no part at all for the second irrep
    truncated.irreps.push_back(full.irreps[k]);
    truncated.parts.push_back({full.parts[k].front()});
  }
  const at::Tensor flat = nn::from_irrep_major(s.dtp->irreps_out(), truncated);
  EXPECT_TRUE(at::allclose(s.lin->forward(truncated), s.lin->forward(flat), 1e-13, 1e-13));
  EXPECT_TRUE(at::allclose(nn::from_irrep_major(s.lin->irreps_out(), s.lin->forward_to_irrep_major(truncated)),
                           s.lin->forward(flat), 1e-13, 1e-13));
}

}  // namespace
}  // namespace eqt::models::equiformer
