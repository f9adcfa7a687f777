#include "eqt/core/error.h"
#include "eqt/nn/linear.h"
#include "support/gradient_check.h"
#include "module_reference.h"

namespace eqt::nn {
namespace {

void expect_linear_matches_reference(const std::string& module) {
  EQT_REQUIRE_SHARED(shared);
  const auto ref = testing::load_module_reference(shared, module);
  Linear linear(ref.spec["irreps_in"].get<std::string>(), ref.spec["irreps_out"].get<std::string>(),
                LinearOptions{ref.spec["biases"].get<bool>()});
  EXPECT_EQ(linear.weight_numel(), ref.spec["weight_numel"].get<int64_t>());
  EXPECT_EQ(linear.bias_numel(), ref.spec["bias_numel"].get<int64_t>());

  const auto& expected = ref.spec["instructions"];
  ASSERT_EQ(linear.instructions().size(), expected.size());
  for (std::size_t n = 0; n < expected.size(); ++n) {
    const auto& ins = linear.instructions()[n];
    EXPECT_EQ(ins.i_in, expected[n]["i_in"].get<int>());
    EXPECT_EQ(ins.i_out, expected[n]["i_out"].get<int>());
    EXPECT_EQ(ins.path_shape, expected[n]["path_shape"].get<std::vector<int64_t>>());
    EXPECT_NEAR(ins.path_weight, expected[n]["path_weight"].get<double>(), 1e-15);
  }

  linear.to(at::kDouble);
  testing::assign_parameter(linear.weight, ref.tensor("weight"));
  if (linear.bias_numel() > 0) testing::assign_parameter(linear.bias, ref.tensor("bias"));
  const at::Tensor out = linear.forward(ref.tensor("x"));
  EXPECT_LT(testing::max_abs_diff(out, ref.tensor("out")), 1e-10);

  linear.to(at::kFloat);
  const at::Tensor out32 = linear.forward(ref.tensor("x").to(at::kFloat));
  EXPECT_EQ(out32.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_rel_diff(out32, ref.tensor("out")), 1e-5);
}

TEST(Linear, MatchesE3nnLinear) { expect_linear_matches_reference("linear"); }
TEST(Linear, MatchesE3nnLinearWithBias) { expect_linear_matches_reference("linear_bias"); }

TEST(Linear, BatchShapesAndUnreachedOutputs) {
  Linear linear("3x0e+2x1o", "2x0e+1x2e+4x1o");
  linear.to(at::kDouble);
  const at::Tensor x = at::randn({2, 3, 9}, at::kDouble);
  const at::Tensor out = linear.forward(x);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 3, 19}));
  EXPECT_TRUE(at::equal(out.narrow(-1, 2, 5), at::zeros({2, 3, 5}, at::kDouble)));  // 1x2e has no input
  // Leading dimensions are independent: row by row equals the batched result.
  EXPECT_LT(testing::max_abs_diff(linear.forward(x[1][2]), out[1][2]), 1e-14);
  EXPECT_EQ(linear.forward(at::zeros({0, 9}, at::kDouble)).sizes(), (std::vector<int64_t>{0, 19}));
  EXPECT_THROW(linear.forward(at::zeros({4, 8}, at::kDouble)), Error);
}

TEST(Linear, SplitInputEqualsExplicitSum) {
  // Two input blocks into one output: out = (x_a W_a + x_b W_b) / sqrt(mul_a + mul_b).
  Linear linear("2x1o+3x1o", "4x1o");
  linear.to(at::kDouble);
  const at::Tensor x = at::randn({5, 15}, at::kDouble);
  const at::Tensor w = linear.weight.detach();
  const at::Tensor wa = w.narrow(0, 0, 8).view({2, 4});
  const at::Tensor wb = w.narrow(0, 8, 12).view({3, 4});
  const at::Tensor xa = x.narrow(1, 0, 6).view({5, 2, 3});
  const at::Tensor xb = x.narrow(1, 6, 9).view({5, 3, 3});
  const at::Tensor expected =
      (at::einsum("zui,uw->zwi", {xa, wa}) + at::einsum("zui,uw->zwi", {xb, wb})) / std::sqrt(5.0);
  EXPECT_LT(testing::max_abs_diff(linear.forward(x), expected.reshape({5, 12})), 1e-13);
}

TEST(Linear, GradientsMatchFiniteDifferences) {
  Linear linear("3x0e+2x1e+1x2o", "2x0e+3x1e+1x2o", LinearOptions{true});
  linear.to(at::kDouble);
  testing::assign_parameter(linear.bias, at::randn({linear.bias_numel()}, at::kDouble));
  const at::Tensor x = testing::leaf(at::randn({4, 14}));
  const double error =
      testing::max_gradient_error([&] { return linear.forward(x); }, {x, linear.weight, linear.bias});
  EXPECT_LT(error, 1e-8);
}

}  // namespace
}  // namespace eqt::nn
