// O(3) equivariance (random rotations and inversions, float64) of the building blocks.
#include "eqt/nn/gate.h"
#include "eqt/nn/linear.h"
#include "eqt/nn/tensor_product.h"
#include "support/assert_equivariant.h"

namespace eqt::nn {
namespace {

using so3::Irreps;
using so3::Transform;

std::vector<at::Tensor> features(const std::vector<Transform>& transforms, uint64_t seed) {
  return so3::random_inputs(transforms, 7, seed);
}

TEST(Equivariance, Linear) {
  const Irreps in = "4x0e+3x1o+2x2e+2x1e+1x0o+1x3o", out = "3x0e+2x1o+2x2e+1x1e+2x0o+1x3o+1x2o";
  Linear linear(in, out, LinearOptions{true});
  linear.to(at::kDouble);
  {
    at::NoGradGuard no_grad;
    linear.bias.normal_();  // zero at construction: make the bias part of the test
  }
  const auto fn = [&](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{linear.forward(x[0])};
  };
  EQT_EXPECT_EQUIVARIANT(fn, features({in}, 1), {in}, {out});
}

TEST(Equivariance, FullyConnectedTensorProduct) {
  const Irreps in1 = "3x0e+2x1o+1x2e+1x1e+1x0o", in2 = "1x0e+1x1o+1x2e+1x3o";
  const Irreps out = "2x0e+2x1o+2x1e+2x2e+1x2o+1x3o+1x0o";
  FullyConnectedTensorProduct tp(in1, in2, out);
  tp.to(at::kDouble);
  const auto fn = [&](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{tp.forward(x[0], x[1])};
  };
  EQT_EXPECT_EQUIVARIANT(fn, features({in1, in2}, 2), {in1, in2}, {out});
}

TEST(Equivariance, UvuTensorProductWithPerSampleWeights) {
  // Equiformer's depthwise product: node features x spherical harmonics, weights per edge.
  const Irreps in1 = "4x0e+2x1o+2x2e", in2 = "1x0e+1x1o+1x2e", out = "4x0e+2x1o+2x1e+2x2e+2x2o";
  std::vector<TensorProductInstruction> instructions;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const auto products = in1[i].ir * in2[j].ir;
      for (int k = 0; k < 5; ++k) {
        if (in1[i].mul == out[k].mul &&
            std::find(products.begin(), products.end(), out[k].ir) != products.end()) {
          instructions.push_back({i, j, k, "uvu", true, 1.0, {}});
        }
      }
    }
  }
  TensorProductOptions options;
  options.shared_weights = false;
  options.path_normalization = "none";
  TensorProduct tp(in1, in2, out, instructions, options);
  auto inputs = features({in1, in2}, 3);
  inputs.push_back(at::randn({7, tp.weight_numel()}, at::kDouble));
  const auto fn = [&](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{tp.forward(x[0], x[1], x[2])};
  };
  EQT_EXPECT_EQUIVARIANT(fn, inputs, {in1, in2, Transform::invariant()}, {out});
}

TEST(Equivariance, TensorProductAllModes) {
  const Irreps in1 = "2x0e+3x1o+3x2e", in2 = "1x0e+2x1o+3x2e", out = "4x0e+3x1o+2x1o+2x1e+1x1e+3x1e";
  const std::vector<TensorProductInstruction> instructions{
      {0, 0, 0, "uvw", true, 1.0, {}},  {1, 1, 0, "uvw", true, 1.0, {}},  {1, 0, 1, "uvu", true, 1.0, {}},
      {1, 2, 1, "uvu", false, 1.0, {}}, {0, 1, 2, "uvv", true, 1.0, {}},  {2, 1, 2, "uvv", false, 1.0, {}},
      {2, 2, 3, "uuw", true, 1.0, {}},  {2, 2, 4, "uuw", false, 1.0, {}}, {1, 2, 1, "uuu", true, 1.0, {}},
      {2, 2, 5, "uuu", true, 1.0, {}}};
  TensorProduct tp(in1, in2, out, instructions);
  tp.to(at::kDouble);
  const auto fn = [&](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{tp.forward(x[0], x[1])};
  };
  EQT_EXPECT_EQUIVARIANT(fn, features({in1, in2}, 4), {in1, in2}, {out});
}

TEST(Equivariance, GateInBothLayouts) {
  for (const auto layout : {GateLayout::Sorted, GateLayout::Concatenated}) {
    SCOPED_TRACE(layout == GateLayout::Sorted ? "sorted" : "concatenated");
    const Gate gate("4x0e+2x0o+1x0o", {"silu", "tanh", "abs"}, "3x0e+2x0o", {"sigmoid", "tanh"},
                    "2x1o+1x2e+1x1e+1x3o", layout);
    const auto fn = [&](const std::vector<at::Tensor>& x) {
      return std::vector<at::Tensor>{gate.forward(x[0])};
    };
    EQT_EXPECT_EQUIVARIANT(fn, features({gate.irreps_in()}, 5), {gate.irreps_in()}, {gate.irreps_out()});
  }
}

TEST(Equivariance, FloatModulesWithinFloatTolerance) {
  const Irreps in1 = "3x0e+2x1o+1x2e", in2 = "1x0e+1x1o+1x2e", out = "2x0e+2x1o+1x2e+1x1e";
  FullyConnectedTensorProduct tp(in1, in2, out);  // float32 parameters by default
  const auto fn = [&](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{tp.forward(x[0], x[1])};
  };
  auto inputs = so3::random_inputs({in1, in2}, 7, 6, at::kFloat);
  EQT_EXPECT_EQUIVARIANT(fn, inputs, {in1, in2}, {out});
}

}  // namespace
}  // namespace eqt::nn
