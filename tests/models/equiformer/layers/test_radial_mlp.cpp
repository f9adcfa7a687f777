// RadialProfile: official state-dict names, and values against a loop-by-loop evaluation of
// Linear -> LayerNorm -> SiLU -> ... -> Linear + offset with the reference weights.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/radial_mlp.h"
#include "support/reference.h"
#include "support/radial_helpers.h"

namespace eqt::models::equiformer {
namespace {

using Matrix = std::vector<std::vector<double>>;

std::set<std::string> parameter_names(const torch::nn::Module& module) {
  std::set<std::string> names;
  for (const auto& item : module.named_parameters()) names.insert(item.key());
  return names;
}

std::vector<double> to_vector(const at::Tensor& t) {
  const auto c = t.contiguous().to(at::kDouble);
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

std::vector<double> dense(const std::vector<double>& x, const at::Tensor& weight,
                          const at::Tensor* bias) {
  const auto w = to_vector(weight);
  const std::size_t out = weight.size(0), in = weight.size(1);
  std::vector<double> y(out, 0.0);
  for (std::size_t o = 0; o < out; ++o) {
    for (std::size_t i = 0; i < in; ++i) y[o] += w[o * in + i] * x[i];
    if (bias) y[o] += bias->data_ptr<double>()[o];
  }
  return y;
}

std::vector<double> layer_norm_silu(std::vector<double> x, const at::Tensor& gamma,
                                    const at::Tensor& beta) {
  double mean = 0.0, var = 0.0;
  for (double v : x) mean += v / x.size();
  for (double v : x) var += (v - mean) * (v - mean) / x.size();
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double y =
        (x[i] - mean) / std::sqrt(var + 1e-5) * gamma[i].item<double>() + beta[i].item<double>();
    x[i] = y / (1.0 + std::exp(-y));
  }
  return x;
}

TEST(RadialMlp, OfficialParameterNames) {
  RadialProfile mlp({32, 16, 16, 240});
  EXPECT_EQ(parameter_names(mlp),
            (std::set<std::string>{"net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias",
                                   "net.3.weight", "net.3.bias", "net.4.weight", "net.4.bias",
                                   "net.6.weight", "offset"}));
  EXPECT_EQ(mlp.out_features(), 240);
  RadialProfile no_norm({8, 4, 4, 3}, /*use_layer_norm=*/false, /*use_offset=*/false);
  EXPECT_EQ(parameter_names(no_norm),
            (std::set<std::string>{"net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
                                   "net.4.weight", "net.4.bias"}));
}

TEST(RadialMlp, MatchesLoopEvaluationWithReferenceWeights) {
  EQT_REQUIRE_SHARED(shared);
  const auto weights = testing::read_f64_safetensors(
      shared / "reference/equiformer/small_gat_nonlinear_exp/weights.safetensors");
  const std::string prefix = "blocks.1.ga.sep_act.dtp_rad.";
  RadialProfile mlp({32, 16, 16, 240}, true, true, at::kDouble);
  testing::load_exact(mlp, weights, prefix);
  at::manual_seed(2);
  const auto input = at::rand({4, 32}, at::TensorOptions().dtype(at::kDouble));
  const auto out = mlp.forward(input);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{4, 240}));
  const auto& w = weights;
  for (int64_t e = 0; e < 4; ++e) {
    auto h =
        dense(to_vector(input[e]), w.at(prefix + "net.0.weight"), &w.at(prefix + "net.0.bias"));
    h = layer_norm_silu(h, w.at(prefix + "net.1.weight"), w.at(prefix + "net.1.bias"));
    h = dense(h, w.at(prefix + "net.3.weight"), &w.at(prefix + "net.3.bias"));
    h = layer_norm_silu(h, w.at(prefix + "net.4.weight"), w.at(prefix + "net.4.bias"));
    h = dense(h, w.at(prefix + "net.6.weight"), &w.at(prefix + "offset"));
    EXPECT_LT(testing::max_abs_diff(out[e], at::tensor(h, at::TensorOptions().dtype(at::kDouble))),
              1e-13);
  }
}

TEST(RadialMlp, Float32AndShapes) {
  RadialProfile mlp({5, 7, 3});
  const auto out = mlp.forward(at::randn({2, 6, 5}));
  EXPECT_EQ(out.scalar_type(), at::kFloat);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 6, 3}));
  EXPECT_THROW(mlp.forward(at::randn({4, 6})), eqt::Error);
  EXPECT_THROW(RadialProfile({5}), eqt::Error);
  EXPECT_THROW(RadialProfile({5, 0, 3}), eqt::Error);
}

}  // namespace
}  // namespace eqt::models::equiformer
