// Packed tokens <-> PET's padded attention grid: against the index_copy / index_select they
// replace, adjointness, and derivatives of derivatives.
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>

#include "eqt/models/pet/token_grid.h"

namespace eqt::models::pet {
namespace {

struct Grid {
  TokenRows rows;
  int64_t parts = 3, heads = 2, d_head = 4;
};

Grid make_grid() {
  const at::Tensor counts = at::tensor({3, 0, 5, 1}, at::kLong);
  const at::Tensor padding = at::arange(5, at::kLong).unsqueeze(0) >= counts.unsqueeze(1);
  return {pack_tokens(padding, /*central_token=*/true).tokens};
}

TEST(PetTokenGrid, ToGridIsIndexCopyIntoZeros) {
  const Grid g = make_grid();
  at::manual_seed(5);
  const int64_t m = g.rows.size(), slots = g.rows.rows * g.rows.columns;
  const at::Tensor packed = at::randn({m, g.parts * g.heads * g.d_head}, at::kDouble);
  const at::Tensor expected = at::zeros({g.parts, g.heads, slots, g.d_head}, at::kDouble)
                                  .index_copy(2, g.rows.slot, packed.view({m, g.parts, g.heads, g.d_head}).permute({1, 2, 0, 3}));
  EXPECT_TRUE(at::equal(to_grid(packed, g.rows, g.parts, g.heads), expected));
  EXPECT_TRUE(at::equal(from_grid(expected, g.rows), packed));
}

TEST(PetTokenGrid, FromGridIsAdjointOfToGrid) {
  const Grid g = make_grid();
  at::manual_seed(6);
  const int64_t m = g.rows.size(), slots = g.rows.rows * g.rows.columns;
  const at::Tensor x = at::randn({m, g.parts * g.heads * g.d_head}, at::kDouble);
  const at::Tensor y = at::randn({g.parts, g.heads, slots, g.d_head}, at::kDouble);
  EXPECT_NEAR((to_grid(x, g.rows, g.parts, g.heads) * y).sum().item<double>(), (x * from_grid(y, g.rows)).sum().item<double>(),
              1e-12);
}

TEST(PetTokenGrid, DerivativesOfDerivatives) {
  const Grid g = make_grid();
  at::manual_seed(7);
  const int64_t m = g.rows.size();
  const at::Tensor x = at::randn({m, g.parts * g.heads * g.d_head}, at::kDouble).set_requires_grad(true);
  // loss = sum(sin(to_grid(x))^2): the second derivative goes through the gradient of to_grid
  // (from_grid) and its gradient again.
  const auto f = [&](const at::Tensor& v, bool ours) {
    const at::Tensor grid = ours ? to_grid(v, g.rows, g.parts, g.heads)
                                 : at::zeros({g.parts, g.heads, g.rows.rows * g.rows.columns, g.d_head}, v.options())
                                       .index_copy(2, g.rows.slot, v.view({m, g.parts, g.heads, g.d_head}).permute({1, 2, 0, 3}));
    return grid.sin().square().sum();
  };
  const at::Tensor u = at::linspace(-1.0, 1.0, x.numel(), x.options()).view(x.sizes());
  std::vector<at::Tensor> second;
  for (const bool ours : {true, false}) {
    const auto first = torch::autograd::grad({f(x, ours)}, {x}, {}, true, true);
    second.push_back(torch::autograd::grad({(first[0] * u).sum()}, {x})[0]);
  }
  EXPECT_TRUE(at::allclose(second[0], second[1], 1e-13, 1e-13));
  EXPECT_GT(second[0].abs().max().item<double>(), 0.1);
}

}  // namespace
}  // namespace eqt::models::pet
