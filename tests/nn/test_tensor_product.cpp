#include <algorithm>
#include <numeric>

#include "eqt/core/error.h"
#include "eqt/nn/tensor_product.h"
#include "eqt/so3/wigner_3j.h"
#include "support/gradient_check.h"
#include "module_reference.h"

namespace eqt::nn {
namespace {

using so3::Irreps;

std::vector<TensorProductInstruction> instructions_from(const nlohmann::json& list) {
  std::vector<TensorProductInstruction> out;
  for (const auto& i : list) {
    out.push_back({i["i_in1"].get<int>(),
                   i["i_in2"].get<int>(),
                   i["i_out"].get<int>(),
                   i["connection_mode"].get<std::string>(),
                   i["has_weight"].get<bool>(),
                   1.0,
                   {}});
  }
  return out;
}

void expect_instructions(const TensorProduct& tp, const nlohmann::json& expected) {
  ASSERT_EQ(tp.instructions().size(), expected.size());
  for (std::size_t n = 0; n < expected.size(); ++n) {
    const auto& ins = tp.instructions()[n];
    SCOPED_TRACE(n);
    EXPECT_EQ(ins.i_in1, expected[n]["i_in1"].get<int>());
    EXPECT_EQ(ins.i_in2, expected[n]["i_in2"].get<int>());
    EXPECT_EQ(ins.i_out, expected[n]["i_out"].get<int>());
    EXPECT_EQ(ins.connection_mode, expected[n]["connection_mode"].get<std::string>());
    EXPECT_EQ(ins.has_weight, expected[n]["has_weight"].get<bool>());
    EXPECT_NEAR(ins.path_weight, expected[n]["path_weight"].get<double>(), 1e-14);
    EXPECT_EQ(ins.path_shape, expected[n]["path_shape"].get<std::vector<int64_t>>());
  }
}

void expect_fctp_matches(const std::string& module) {
  EQT_REQUIRE_SHARED(shared);
  const auto ref = testing::load_module_reference(shared, module);
  TensorProductOptions options;
  options.irrep_normalization = ref.spec["irrep_normalization"].get<std::string>();
  options.path_normalization = ref.spec["path_normalization"].get<std::string>();
  FullyConnectedTensorProduct tp(ref.spec["irreps_in1"].get<std::string>(),
                                 ref.spec["irreps_in2"].get<std::string>(),
                                 ref.spec["irreps_out"].get<std::string>(), options);
  EXPECT_EQ(tp.weight_numel(), ref.spec["weight_numel"].get<int64_t>());
  expect_instructions(tp, ref.spec["instructions"]);
  tp.to(at::kDouble);
  testing::assign_parameter(tp.weight, ref.tensor("weight"));
  EXPECT_LT(testing::max_abs_diff(tp.forward(ref.tensor("x1"), ref.tensor("x2")), ref.tensor("out")), 1e-10);
  tp.to(at::kFloat);
  const at::Tensor out32 = tp.forward(ref.tensor("x1").to(at::kFloat), ref.tensor("x2").to(at::kFloat));
  EXPECT_EQ(out32.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_rel_diff(out32, ref.tensor("out")), 1e-5);
}

TEST(TensorProduct, FullyConnectedMatchesE3nn) { expect_fctp_matches("fctp"); }
TEST(TensorProduct, FullyConnectedWithoutPathNormalizationMatchesE3nn) {
  expect_fctp_matches("fctp_pathnorm_none");
}

// Equiformer's DepthwiseTensorProduct construction: one 'uvu' path per (in1 block, in2 block,
// product irrep kept), outputs appended in that order, then sorted by (l, even first) and the
// instructions renumbered.
std::vector<TensorProductInstruction> depthwise_instructions(const Irreps& in1, const Irreps& in2,
                                                             const Irreps& kept, Irreps& unsorted,
                                                             Irreps& sorted) {
  std::vector<so3::MulIrrep> outputs;
  std::vector<TensorProductInstruction> instructions;
  for (std::size_t i = 0; i < in1.size(); ++i) {
    for (std::size_t j = 0; j < in2.size(); ++j) {
      for (const auto& ir : in1[i].ir* in2[j].ir) {
        if (kept.count(ir) == 0) continue;
        instructions.push_back({static_cast<int>(i),
                                static_cast<int>(j),
                                static_cast<int>(outputs.size()),
                                "uvu",
                                true,
                                1.0,
                                {}});
        outputs.push_back({in1[i].mul, ir});
      }
    }
  }
  std::vector<int> order(outputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const auto &x = outputs[a].ir, &y = outputs[b].ir;
    return x.l != y.l ? x.l < y.l : x.p > y.p;
  });
  std::vector<so3::MulIrrep> sorted_items;
  std::vector<int> position(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    sorted_items.push_back(outputs[order[k]]);
    position[order[k]] = static_cast<int>(k);
  }
  for (auto& ins : instructions) ins.i_out = position[ins.i_out];
  unsorted = Irreps(outputs);
  sorted = Irreps(sorted_items);
  return instructions;
}

TEST(TensorProduct, DepthwiseUvuWithPerSampleWeightsMatchesE3nn) {
  EQT_REQUIRE_SHARED(shared);
  const auto ref = testing::load_module_reference(shared, "dtp_uvu");
  const Irreps in1 = ref.spec["irreps_in1"].get<std::string>();
  const Irreps in2 = ref.spec["irreps_in2"].get<std::string>();
  Irreps unsorted, sorted;
  const auto instructions = depthwise_instructions(in1, in2, "0e+1e+2e", unsorted, sorted);
  EXPECT_EQ(unsorted.str(), ref.spec["irreps_out_unsorted"].get<std::string>());
  EXPECT_EQ(sorted.str(), ref.spec["irreps_out"].get<std::string>());

  TensorProductOptions options;
  options.path_normalization = ref.spec["path_normalization"].get<std::string>();
  options.shared_weights = false;
  TensorProduct tp(in1, in2, sorted, instructions, options);
  EXPECT_FALSE(tp.internal_weights());
  EXPECT_EQ(tp.weight_numel(), ref.spec["weight_numel"].get<int64_t>());
  expect_instructions(tp, ref.spec["instructions"]);
  const at::Tensor out = tp.forward(ref.tensor("x1"), ref.tensor("x2"), ref.tensor("weight"));
  EXPECT_LT(testing::max_abs_diff(out, ref.tensor("out")), 1e-10);
  const at::Tensor out32 = tp.forward(ref.tensor("x1").to(at::kFloat), ref.tensor("x2").to(at::kFloat),
                                      ref.tensor("weight").to(at::kFloat));
  EXPECT_LT(testing::max_rel_diff(out32, ref.tensor("out")), 1e-5);
}

// Straightforward per-instruction einsum (README convention 5), for modes without a reference.
at::Tensor naive_tensor_product(const TensorProduct& tp, const at::Tensor& x1, const at::Tensor& x2,
                                const at::Tensor& weight /* [Z, numel] */) {
  const auto &in1 = tp.irreps_in1(), &in2 = tp.irreps_in2(), &out = tp.irreps_out();
  const int64_t z = x1.size(0);
  std::vector<at::Tensor> blocks;
  for (const auto& b : out) blocks.push_back(at::zeros({z, b.mul, b.ir.dim()}, x1.options()));
  for (std::size_t n = 0; n < tp.instructions().size(); ++n) {
    const auto& ins = tp.instructions()[n];
    const auto &a = in1[ins.i_in1], &b = in2[ins.i_in2], &c = out[ins.i_out];
    const at::Tensor u = x1.narrow(1, in1.slices()[ins.i_in1].first, a.dim()).reshape({z, a.mul, a.ir.dim()});
    const at::Tensor v = x2.narrow(1, in2.slices()[ins.i_in2].first, b.dim()).reshape({z, b.mul, b.ir.dim()});
    const at::Tensor cg = so3::wigner_3j(a.ir.l, b.ir.l, c.ir.l).to(x1.scalar_type());
    const std::string& m = ins.connection_mode;
    at::Tensor r;
    if (ins.has_weight) {
      const at::Tensor w = tp.weight_view(weight, static_cast<int>(n));
      const std::string spec = m == "uvw"   ? "zuvw,ijk,zui,zvj->zwk"
                               : m == "uvu" ? "zuv,ijk,zui,zvj->zuk"
                               : m == "uvv" ? "zuv,ijk,zui,zvj->zvk"
                               : m == "uuw" ? "zuw,ijk,zui,zuj->zwk"
                                            : "zu,ijk,zui,zuj->zuk";
      r = at::einsum(spec, {w, cg, u, v});
    } else {
      const std::string spec = m == "uvu"   ? "ijk,zui,zvj->zuk"
                               : m == "uvv" ? "ijk,zui,zvj->zvk"
                               : m == "uuw" ? "ijk,zui,zuj->zk"
                                            : "ijk,zui,zuj->zuk";
      r = at::einsum(spec, {cg, u, v}).reshape({z, c.mul, c.ir.dim()});
    }
    blocks[ins.i_out] = blocks[ins.i_out] + ins.path_weight * r;
  }
  for (auto& b : blocks) b = b.reshape({z, -1});
  return at::cat(blocks, 1);
}

// Every mode, weighted and not, several paths into one output (the index_add route).
TensorProduct all_modes_product(bool shared) {
  const std::vector<TensorProductInstruction> instructions{
      {0, 0, 0, "uvw", true, 1.0, {}},  {1, 1, 0, "uvw", true, 1.0, {}},  {1, 0, 1, "uvu", true, 2.0, {}},
      {1, 2, 1, "uvu", false, 1.0, {}}, {0, 1, 2, "uvv", true, 1.0, {}},  {2, 1, 2, "uvv", false, 1.0, {}},
      {2, 2, 3, "uuw", true, 1.0, {}},  {2, 2, 4, "uuw", false, 1.0, {}}, {1, 2, 1, "uuu", true, 1.0, {}},
      {2, 2, 5, "uuu", false, 1.0, {}}, {2, 2, 5, "uuu", true, 1.0, {}}};
  TensorProductOptions options;
  options.shared_weights = shared;
  return TensorProduct("2x0e+3x1o+3x2e", "1x0e+2x1o+3x2e", "4x0e+3x1o+2x1o+2x1e+1x1e+3x1e", instructions,
                       options);
}

TEST(TensorProduct, AllModesMatchPerInstructionEinsum) {
  for (const bool shared : {true, false}) {
    SCOPED_TRACE(shared ? "shared weights" : "per-sample weights");
    TensorProduct tp = all_modes_product(shared);
    tp.to(at::kDouble);
    const at::Tensor x1 = at::randn({6, 26}, at::kDouble);
    const at::Tensor x2 = at::randn({6, 22}, at::kDouble);
    const at::Tensor w = shared ? tp.weight.detach() : at::randn({6, tp.weight_numel()}, at::kDouble);
    const at::Tensor out = shared ? tp.forward(x1, x2) : tp.forward(x1, x2, w);
    const at::Tensor expected = naive_tensor_product(tp, x1, x2, shared ? w.expand({6, -1}) : w);
    EXPECT_LT(testing::max_abs_diff(out, expected), 1e-12);
  }
}

TEST(TensorProduct, GradientsMatchFiniteDifferences) {
  TensorProduct shared = all_modes_product(true);
  shared.to(at::kDouble);
  const at::Tensor x1 = testing::leaf(at::randn({3, 26})), x2 = testing::leaf(at::randn({3, 22}));
  EXPECT_LT(testing::max_gradient_error([&] { return shared.forward(x1, x2); }, {x1, x2, shared.weight}),
            1e-7);

  TensorProduct per_sample = all_modes_product(false);
  const at::Tensor w = testing::leaf(at::randn({3, per_sample.weight_numel()}));
  EXPECT_LT(testing::max_gradient_error([&] { return per_sample.forward(x1, x2, w); }, {x1, x2, w}), 1e-7);
}

TEST(TensorProduct, BroadcastsLeadingDimensions) {
  FullyConnectedTensorProduct tp("2x0e+1x1o", "1x0e+1x1o", "2x0e+2x1o+1x1e");
  tp.to(at::kDouble);
  const at::Tensor x1 = at::randn({2, 1, 5}, at::kDouble), x2 = at::randn({1, 3, 4}, at::kDouble);
  const at::Tensor out = tp.forward(x1, x2);
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 3, 11}));
  EXPECT_LT(testing::max_abs_diff(out[1][2], tp.forward(x1[1][0], x2[0][2])), 1e-14);
  EXPECT_EQ(tp.forward(at::zeros({0, 5}, at::kDouble), at::zeros({0, 4}, at::kDouble)).sizes(),
            (std::vector<int64_t>{0, 11}));
}

TEST(TensorProduct, RejectsInvalidInstructionsAndInputs) {
  EXPECT_THROW(TensorProduct("1x1o", "1x1o", "1x1o", {{0, 0, 0, "uvw", true, 1.0, {}}}), Error);  // parity
  EXPECT_THROW(TensorProduct("1x1o", "1x1o", "1x3e", {{0, 0, 0, "uvw", true, 1.0, {}}}), Error);  // triangle
  EXPECT_THROW(TensorProduct("2x0e", "1x0e", "2x0e", {{0, 0, 0, "uvx", true, 1.0, {}}}), Error);  // mode
  EXPECT_THROW(TensorProduct("2x0e", "1x0e", "3x0e", {{0, 0, 0, "uvu", true, 1.0, {}}}), Error);  // mul
  TensorProductOptions per_sample;
  per_sample.shared_weights = false;
  TensorProduct tp("2x0e", "1x0e", "2x0e", {{0, 0, 0, "uvu", true, 1.0, {}}}, per_sample);
  EXPECT_THROW(tp.forward(at::ones({1, 2}), at::ones({1, 1})), Error);  // weights missing
  EXPECT_THROW(tp.forward(at::ones({1, 3}), at::ones({1, 1}), at::ones({1, 2})), Error);
}

}  // namespace
}  // namespace eqt::nn
