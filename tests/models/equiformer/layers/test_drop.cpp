// Drop path and equivariant dropout: identity outside training, and in training the exact
// structure of what is dropped together, the 1/(1-p) rescaling, and the drop rate.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/drop.h"
#include "support/reference.h"

namespace eqt::models::equiformer {
namespace {

using testing::kF64;

// Ratio y/x (x is drawn away from 0): the factor each entry was multiplied by, up to rounding.
at::Tensor ratio(const at::Tensor& y, const at::Tensor& x) { return y / x; }

at::Tensor nonzero_features(int64_t n, int64_t d) { return at::rand({n, d}, kF64) + 0.5; }

TEST(Drop, IdentityInEvalOrWithZeroProbability) {
  const so3::Irreps irreps("2x0e+1x1o");
  const auto x = nonzero_features(5, irreps.dim());
  const auto batch = at::zeros({5}, at::kLong);
  DropPath dp(0.5);
  GraphDropPath gdp(0.5);
  EquivariantDropout ed(irreps, 0.5);
  EquivariantScalarsDropout esd(irreps, 0.5);
  for (torch::nn::Module* m : std::vector<torch::nn::Module*>{&dp, &gdp, &ed, &esd}) m->eval();
  EXPECT_TRUE(dp.forward(x).equal(x));
  EXPECT_TRUE(gdp.forward(x, batch).equal(x));
  EXPECT_TRUE(ed.forward(x).equal(x));
  EXPECT_TRUE(esd.forward(x).equal(x));
  EquivariantDropout zero(irreps, 0.0);
  zero.train();
  EXPECT_TRUE(zero.forward(x).equal(x));
  EXPECT_TRUE(drop_path(x, 0.0, true).equal(x));
}

TEST(Drop, DropPathDropsWholeRows) {
  at::manual_seed(0);
  const double p = 0.3;
  const auto x = nonzero_features(4000, 3);
  DropPath dp(p);
  dp.train();
  const auto r = ratio(dp.forward(x), x);
  const auto first = r.select(1, 0);
  EXPECT_LT((r - first.unsqueeze(1)).abs().max().item<double>(), 1e-12);  // one factor per row
  const auto kept = first.gt(0);
  EXPECT_LT((first.masked_select(kept) - 1.0 / (1.0 - p)).abs().max().item<double>(), 1e-12);
  EXPECT_TRUE(first.masked_select(kept.logical_not()).eq(0).all().item<bool>());
  EXPECT_NEAR(kept.to(at::kDouble).mean().item<double>(), 1.0 - p, 0.03);
}

TEST(Drop, GraphDropPathSharesTheDecisionWithinAGraph) {
  at::manual_seed(1);
  const double p = 0.5;
  const int64_t graphs = 400, per_graph = 3;
  const auto batch = at::arange(graphs, at::kLong).repeat_interleave(per_graph);
  const auto x = nonzero_features(graphs * per_graph, 2);
  GraphDropPath gdp(p);
  gdp.train();
  const auto r = ratio(gdp.forward(x, batch), x).reshape({graphs, per_graph * 2});
  EXPECT_LT((r - r.select(1, 0).unsqueeze(1)).abs().max().item<double>(), 1e-12);
  const auto kept = r.select(1, 0).gt(0);
  EXPECT_LT((r.select(1, 0).masked_select(kept) - 2.0).abs().max().item<double>(), 1e-12);
  EXPECT_NEAR(kept.to(at::kDouble).mean().item<double>(), 0.5, 0.08);
}

TEST(Drop, EquivariantDropoutDropsWholeIrrepCopies) {
  at::manual_seed(2);
  const double p = 0.25;
  const so3::Irreps irreps("3x0e+2x1o+2x2e");
  const int64_t n = 2000;
  const auto x = nonzero_features(n, irreps.dim());
  EquivariantDropout ed(irreps, p);
  ed.train();
  const auto r = ratio(ed.forward(x), x);
  const auto slices = irreps.slices();
  std::vector<at::Tensor> per_copy;
  for (std::size_t b = 0; b < irreps.size(); ++b) {
    const int64_t mul = irreps[b].mul, d = irreps[b].ir.dim();
    const auto block = r.narrow(1, slices[b].first, mul * d).reshape({n, mul, d});
    // all components of a copy share one factor: 0 or 1/(1-p)
    EXPECT_LT((block - block.select(2, 0).unsqueeze(2)).abs().max().item<double>(), 1e-12)
        << irreps[b].str();
    per_copy.push_back(block.select(2, 0));
  }
  const auto factors = at::cat(per_copy, 1);  // [n, num_irreps]
  const auto kept = factors.gt(0);
  EXPECT_LT((factors.masked_select(kept) - 1.0 / (1.0 - p)).abs().max().item<double>(), 1e-12);
  EXPECT_NEAR(kept.to(at::kDouble).mean().item<double>(), 1.0 - p, 0.02);
  // Copies are decided independently: both states occur within single nodes.
  const auto kept_per_node = kept.sum(1);
  EXPECT_TRUE((kept_per_node.gt(0) & kept_per_node.lt(irreps.num_irreps())).any().item<bool>());
}

TEST(Drop, ScalarsDropoutLeavesOtherBlocksAlone) {
  at::manual_seed(3);
  const so3::Irreps irreps("4x0e+2x1e+3x0e");
  const auto x = nonzero_features(500, irreps.dim());
  EquivariantScalarsDropout esd(irreps, 0.4);
  esd.train();
  const auto y = esd.forward(x);
  EXPECT_TRUE(y.narrow(1, 4, 6).equal(x.narrow(1, 4, 6)));
  const auto scalars = at::cat({ratio(y, x).narrow(1, 0, 4), ratio(y, x).narrow(1, 10, 3)}, 1);
  const auto kept = scalars.gt(0);
  EXPECT_LT((scalars.masked_select(kept) - 1.0 / 0.6).abs().max().item<double>(), 1e-12);
  EXPECT_NEAR(kept.to(at::kDouble).mean().item<double>(), 0.6, 0.04);
}

TEST(Drop, RejectsBadArguments) {
  EXPECT_THROW(DropPath(1.0), eqt::Error);
  EXPECT_THROW(GraphDropPath(-0.1), eqt::Error);
  EXPECT_THROW(EquivariantDropout(so3::Irreps("2x0e"), 1.5), eqt::Error);
  EquivariantDropout ed(so3::Irreps("2x0e+1x1o"), 0.5);
  ed.train();
  EXPECT_THROW(ed.forward(at::ones({3, 4})), eqt::Error);
  GraphDropPath gdp(0.5);
  gdp.train();
  EXPECT_THROW(gdp.forward(at::ones({3, 4}), at::zeros({2}, at::kLong)), eqt::Error);
}

TEST(Drop, Float32Works) {
  at::manual_seed(4);
  EquivariantDropout ed(so3::Irreps("2x0e+1x1o"), 0.5);
  ed.train();
  const auto y = ed.forward(at::ones({8, 5}));
  EXPECT_EQ(y.scalar_type(), at::kFloat);
  EXPECT_TRUE((y.eq(0) | y.eq(2.0f)).all().item<bool>());
}

}  // namespace
}  // namespace eqt::models::equiformer
