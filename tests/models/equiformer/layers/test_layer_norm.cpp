// Per-node equivariant layer norms: EquivariantLayerNormV2 (the 'layer' norm) against a loop
// evaluation, its defining properties, equivariance, the v1 layer norm, and make_norm.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/graph_norm.h"
#include "eqt/models/equiformer/layers/layer_norm.h"
#include "eqt/models/equiformer/layers/norm_factory.h"
#include "support/reference.h"
#include "test_layer_norm_reference.h"
#include "support/radial_helpers.h"

namespace eqt::models::equiformer {
namespace {

const so3::Irreps kIrreps("4x0e+3x1e+2x2e+2x1o+3x0e");
using testing::kF64;

void randomise_affine(AffineEquivariantNorm& norm) {
  at::NoGradGuard no_grad;
  norm.affine_weight.copy_(1.0 + 0.3 * at::randn_like(norm.affine_weight));
  norm.affine_bias.copy_(0.5 * at::randn_like(norm.affine_bias));
}

TEST(LayerNorm, V2MatchesLoopEvaluation) {
  at::manual_seed(0);
  EquivariantLayerNormV2 norm(kIrreps, 1e-5, true, NormNormalization::Component, at::kDouble);
  randomise_affine(norm);
  const auto x = 2.0 * at::randn({6, kIrreps.dim()}, kF64) + 0.7;
  testing::NormSpec spec;
  spec.weight = testing::to_std_vector(norm.affine_weight);
  spec.bias = testing::to_std_vector(norm.affine_bias);
  const auto expected = testing::reference_norm(x, kIrreps, {}, spec);
  EXPECT_LT(testing::max_abs_diff(norm.forward(x), expected), 1e-13);
  EXPECT_LT(testing::max_abs_diff(norm.forward(x, at::zeros({6}, at::kLong)), expected), 1e-13);
}

TEST(LayerNorm, V2ScalarsCentredAndBlocksUnitMeanSquare) {
  at::manual_seed(1);
  EquivariantLayerNormV2 norm(kIrreps, 1e-5, true, NormNormalization::Component, at::kDouble);
  const auto x = 3.0 * at::randn({5, kIrreps.dim()}, kF64) + 1.5;
  const auto y = norm.forward(x);
  const auto slices = kIrreps.slices();
  for (std::size_t b = 0; b < kIrreps.size(); ++b) {
    const int64_t width = slices[b].second - slices[b].first;
    const auto block = y.narrow(1, slices[b].first, width);
    auto input = x.narrow(1, slices[b].first, width);
    if (kIrreps[b].ir.is_scalar()) {
      EXPECT_LT(block.mean(1).abs().max().item<double>(), 1e-13);
      input = input - input.mean(1, true);
    }
    // With unit affine weight the mean over copies and components of y^2 is n/(n+eps), n the
    // same mean for the (centred) input: 1 up to eps/n.
    const auto n = input.pow(2).mean(1);
    EXPECT_LT(testing::max_abs_diff(block.pow(2).mean(1), n / (n + 1e-5)), 1e-13)
        << kIrreps[b].str();
  }
}

TEST(LayerNorm, V2NormNormalizationSumsOverComponents) {
  at::manual_seed(2);
  const so3::Irreps irreps("2x0e+3x2e");
  EquivariantLayerNormV2 norm(irreps, 1e-5, true, NormNormalization::Norm, at::kDouble);
  const auto y = norm.forward(at::randn({4, irreps.dim()}, kF64));
  // Per node: the 2e copies' squared norms (sum over m) average to ~1.
  const auto l2 = y.narrow(1, 2, 15).reshape({4, 3, 5}).pow(2).sum(-1).mean(-1);
  EXPECT_LT((l2 - 1.0).abs().max().item<double>(), 1e-4);
}

TEST(LayerNorm, V2IsEquivariant) {
  at::manual_seed(3);
  EquivariantLayerNormV2 norm(kIrreps, 1e-5, true, NormNormalization::Component, at::kDouble);
  randomise_affine(norm);
  const auto x = at::randn({7, kIrreps.dim()}, kF64);
  for (int trial = 0; trial < 3; ++trial) {
    const auto q = testing::random_orthogonal_by_l(2);
    const auto rotated_then_normed = norm.forward(testing::transform_copies(x, kIrreps, q));
    const auto normed_then_rotated = testing::transform_copies(norm.forward(x), kIrreps, q);
    EXPECT_LT(testing::max_abs_diff(rotated_then_normed, normed_then_rotated), 1e-13);
  }
}

TEST(LayerNorm, V2StateDictNamesAndReferenceShapes) {
  EQT_REQUIRE_SHARED(shared);
  const auto weights = testing::read_f64_safetensors(
      shared / "reference/equiformer/small_dp_exp/weights.safetensors");
  EquivariantLayerNormV2 norm(so3::Irreps("32x0e+16x1e+8x2e"), 1e-5, true,
                              NormNormalization::Component, at::kDouble);
  std::set<std::string> names;
  for (const auto& item : norm.named_parameters()) names.insert(item.key());
  EXPECT_EQ(names, (std::set<std::string>{"affine_weight", "affine_bias"}));
  EXPECT_EQ(norm.affine_weight.size(0), 56);
  EXPECT_EQ(norm.affine_bias.size(0), 32);
  testing::load_exact(norm, weights, "blocks.0.norm_1.");
  testing::load_exact(norm, weights, "blocks.1.norm_2.");
  EquivariantLayerNormV2 no_affine(kIrreps, 1e-5, false);
  EXPECT_TRUE(no_affine.named_parameters().is_empty());
}

TEST(LayerNorm, V2Float32) {
  at::manual_seed(4);
  EquivariantLayerNormV2 n32(kIrreps);
  EquivariantLayerNormV2 n64(kIrreps, 1e-5, true, NormNormalization::Component, at::kDouble);
  const auto x = at::randn({5, kIrreps.dim()}, kF64);
  const auto y = n32.forward(x.to(at::kFloat));
  EXPECT_EQ(y.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_abs_diff(y.to(at::kDouble), n64.forward(x)), 1e-5);
  EXPECT_THROW(n32.forward(at::randn({5, kIrreps.dim() + 1})), eqt::Error);
}

TEST(LayerNorm, V1MatchesLoopEvaluationAndIsEquivariant) {
  at::manual_seed(5);
  const so3::Irreps irreps("3x0e+2x1o+2x2e");
  EquivariantLayerNorm norm(irreps, 1e-5, at::kDouble);
  {
    at::NoGradGuard no_grad;
    for (auto& item : norm.named_parameters())
      item.value().add_(0.2 * at::randn_like(item.value()));
  }
  std::set<std::string> names;
  for (const auto& item : norm.named_parameters()) names.insert(item.key());
  EXPECT_EQ(names, (std::set<std::string>{"layer_norms.0.weight", "layer_norms.0.bias",
                                          "layer_norms.1.weight", "layer_norms.1.bias",
                                          "layer_norms.2.weight", "layer_norms.2.bias"}));
  const auto x = at::randn({4, irreps.dim()}, kF64);
  const auto y = norm.forward(x);
  const auto params = norm.named_parameters();
  const auto slices = irreps.slices();
  for (std::size_t b = 0; b < irreps.size(); ++b) {
    const int64_t mul = irreps[b].mul, d = irreps[b].ir.dim();
    const auto w =
        testing::to_std_vector(*params.find("layer_norms." + std::to_string(b) + ".weight"));
    const auto bias =
        testing::to_std_vector(*params.find("layer_norms." + std::to_string(b) + ".bias"));
    for (int64_t n = 0; n < 4; ++n) {
      std::vector<double> r(mul);
      double mean = 0.0, var = 0.0;
      for (int64_t u = 0; u < mul; ++u) {
        for (int64_t m = 0; m < d; ++m)
          r[u] += std::pow(x[n][slices[b].first + u * d + m].item<double>(), 2);
        r[u] = std::sqrt(r[u]);
        mean += r[u] / mul;
      }
      for (int64_t u = 0; u < mul; ++u) var += (r[u] - mean) * (r[u] - mean) / mul;
      for (int64_t u = 0; u < mul; ++u) {
        const double factor = ((r[u] - mean) / std::sqrt(var + 1e-5) * w[u] + bias[u]) / r[u];
        for (int64_t m = 0; m < d; ++m) {
          const int64_t col = slices[b].first + u * d + m;
          EXPECT_NEAR(y[n][col].item<double>(), x[n][col].item<double>() * factor, 1e-12);
        }
      }
    }
  }
  const auto q = testing::random_orthogonal_by_l(2);
  EXPECT_LT(testing::max_abs_diff(norm.forward(testing::transform_copies(x, irreps, q)),
                                  testing::transform_copies(y, irreps, q)),
            1e-13);
}

TEST(LayerNorm, FactoryAcceptsOfficialNamesOnly) {
  const so3::Irreps irreps("4x0e+2x1e");
  EXPECT_NE(dynamic_cast<EquivariantLayerNormV2*>(make_norm("layer", irreps, 1e-5).get()), nullptr);
  EXPECT_NE(dynamic_cast<EquivariantLayerNormV2*>(make_norm("fast_layer", irreps, 1e-5).get()), nullptr);
  const auto graph = make_norm("graph", irreps, 1e-5);
  EXPECT_NE(dynamic_cast<EquivariantGraphNorm*>(graph.get()), nullptr);
  const auto instance = make_norm("instance", irreps, 1e-5);
  EXPECT_NE(dynamic_cast<EquivariantInstanceNorm*>(instance.get()), nullptr);
  EXPECT_EQ(dynamic_cast<EquivariantGraphNorm*>(instance.get()), nullptr);
  EXPECT_EQ(make_norm("layer", irreps, 1e-5, at::kDouble)->parameters()[0].scalar_type(), at::kDouble);
  for (const std::string bad : {"layer_v2", "Layer", "", "none", "batch"}) {
    try {
      make_norm(bad, irreps, 1e-5);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const eqt::Error& e) {
      EXPECT_NE(std::string(e.what()).find("'" + bad + "'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace eqt::models::equiformer
