#include "eqt/so3/equivariance.h"

#include <gtest/gtest-spi.h>

#include <cmath>
#include <string>

#include "eqt/core/error.h"
#include "eqt/so3/rotation.h"
#include "eqt/so3/spherical_harmonics.h"
#include "support/assert_equivariant.h"

namespace eqt::so3 {
namespace {

const Irreps kShIrreps = Irreps::spherical_harmonics(8);  // 0e+1o+2e+...+8e

std::vector<at::Tensor> sh_of_vector(const std::vector<at::Tensor>& x) {
  return {spherical_harmonics(kShIrreps, x[0], true, ShNormalization::Component)};
}

// Spherical harmonics of the vectors from point 0 to every other point: rotation equivariant,
// translation invariant.
std::vector<at::Tensor> sh_of_relative_positions(const std::vector<at::Tensor>& x) {
  const auto& points = x[0];
  const auto relative = points.narrow(0, 1, points.size(0) - 1) - points.narrow(0, 0, 1);
  return {spherical_harmonics(kShIrreps, relative, false, ShNormalization::Integral)};
}

// A "model" whose outputs are zeros (or rounding noise): equivariant, and useless.
std::vector<at::Tensor> zeros_like_input(const std::vector<at::Tensor>& x) { return {at::zeros_like(x[0])}; }
std::vector<at::Tensor> nearly_zero(const std::vector<at::Tensor>& x) { return {1e-12 * x[0]}; }

void expect_zero_model_equivariant() {
  EQT_EXPECT_EQUIVARIANT(zeros_like_input, random_inputs({"2x0e+1x1o"}, 5, 7), {"2x0e+1x1o"}, {"2x0e+1x1o"});
}

}  // namespace

TEST(Equivariance, SphericalHarmonicsPass) {
  const auto error = equivariance_error(sh_of_vector, {"1o"}, {kShIrreps});
  EXPECT_LT(error.max_error, 1e-12) << error.summary();
  ASSERT_EQ(error.per_output.size(), 1u);
  EXPECT_GT(error.per_output[0], 0.0);  // really compared something (rounding is never exactly 0)
  const auto inputs = random_inputs({"1o"}, 7, 1);
  EQT_EXPECT_EQUIVARIANT(sh_of_vector, inputs, {"1o"}, {kShIrreps});
  // float32 inputs meet e3nn's float32 tolerance.
  EQT_EXPECT_EQUIVARIANT(sh_of_vector, {inputs[0].to(at::kFloat)}, {"1o"}, {kShIrreps});
}

TEST(Equivariance, TranslationsOfCartesianPoints) {
  const auto points = random_inputs({Transform::cartesian_points()}, 6, 2);
  EQT_EXPECT_EQUIVARIANT(sh_of_relative_positions, points, {Transform::cartesian_points()}, {kShIrreps}, 1e-9);
  // Absolute positions are not translation invariant: only the translated cases fail.
  const auto absolute = [](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{spherical_harmonics(kShIrreps, x[0], true, ShNormalization::Component)};
  };
  const auto with = equivariance_error(absolute, points, {Transform::cartesian_points()}, {kShIrreps});
  EXPECT_GT(with.max_error, 0.1) << with.summary();
  EXPECT_NE(with.worst_case.find("translation"), std::string::npos) << with.worst_case;
  EquivarianceOptions no_translation;
  no_translation.translation = false;
  const auto without = equivariance_error(absolute, points, {Transform::cartesian_points()}, {kShIrreps},
                                          no_translation);
  EXPECT_LT(without.max_error, 1e-12) << without.summary();
  // Outputs can be points too: the centroid moves with the points.
  const auto centroid = [](const std::vector<at::Tensor>& x) {
    return std::vector<at::Tensor>{x[0].mean(0, /*keepdim=*/true)};
  };
  EQT_EXPECT_EQUIVARIANT(centroid, points, {Transform::cartesian_points()}, {Transform::cartesian_points()});
}

TEST(Equivariance, DetectsNonEquivariantFunctions) {
  // Squaring components of a vector breaks rotation equivariance.
  const auto square = [](const std::vector<at::Tensor>& x) { return std::vector<at::Tensor>{x[0] * x[0]}; };
  const auto broken = equivariance_error(square, {"1o"}, {"1o"});
  EXPECT_GT(broken.max_error, 0.1) << broken.summary();
  EXPECT_FALSE(::eqt::testing::is_equivariant(square, random_inputs({"1o"}, 5, 3), {"1o"}, {"1o"}));
  // Returning a vector as a pseudovector is wrong only under inversion.
  const auto identity = [](const std::vector<at::Tensor>& x) { return x; };
  const auto parity = equivariance_error(identity, {"1o"}, {"1e"});
  EXPECT_GT(parity.max_error, 0.1);
  EXPECT_NE(parity.worst_case.find("improper"), std::string::npos) << parity.worst_case;
  EquivarianceOptions rotations_only;
  rotations_only.inversion = false;
  EXPECT_LT(equivariance_error(identity, {"1o"}, {"1e"}, rotations_only).max_error, 1e-15);
  // NaN never passes.
  const auto nan = [](const std::vector<at::Tensor>& x) { return std::vector<at::Tensor>{x[0] * NAN}; };
  EXPECT_TRUE(std::isnan(equivariance_error(nan, {"1o"}, {"1o"}).max_error));
  EXPECT_FALSE(::eqt::testing::is_equivariant(nan, random_inputs({"1o"}, 5, 3), {"1o"}, {"1o"}));
}

TEST(Equivariance, MultipleArgumentsAndInvariantPassThrough) {
  // out = (s * v, v . w) with s a scalar, v a vector, w a pseudovector, plus an integer argument
  // (left untouched) selecting rows.
  const auto fn = [](const std::vector<at::Tensor>& x) {
    const auto rows = x[3];
    const auto s = x[0].index_select(0, rows), v = x[1].index_select(0, rows), w = x[2].index_select(0, rows);
    return std::vector<at::Tensor>{s * v, (v * w).sum(-1, true)};
  };
  auto inputs = random_inputs({"0e", "1o", "1e"}, 4, 5);
  inputs.push_back(at::tensor({3, 0, 0, 2}, at::kLong));
  const std::vector<Transform> in{"0e", "1o", "1e", Transform::invariant()};
  EQT_EXPECT_EQUIVARIANT(fn, inputs, in, {"1o", "0o"});
  const auto wrong = equivariance_error(fn, inputs, in, {"1o", "0e"});
  EXPECT_LT(wrong.per_output[0], 1e-12);
  EXPECT_GT(wrong.per_output[1], 1e-3);
  EXPECT_NE(wrong.worst_case.find("output 1"), std::string::npos) << wrong.worst_case;
}

TEST(Equivariance, TriviallyZeroOutputsFail) {
  const auto inputs = random_inputs({"2x0e+1x1o"}, 5, 7);
  // The raw error cannot tell: zero outputs have zero equivariance error.
  EXPECT_EQ(equivariance_error(zeros_like_input, inputs, {"2x0e+1x1o"}, {"2x0e+1x1o"}).max_error, 0.0);
  const auto zero = ::eqt::testing::is_equivariant(zeros_like_input, inputs, {"2x0e+1x1o"}, {"2x0e+1x1o"});
  EXPECT_FALSE(zero);
  EXPECT_NE(std::string(zero.message()).find("output 0 is (nearly) zero"), std::string::npos) << zero.message();
  EXPECT_FALSE(::eqt::testing::is_equivariant(nearly_zero, inputs, {"2x0e+1x1o"}, {"2x0e+1x1o"}));
  EXPECT_NONFATAL_FAILURE(expect_zero_model_equivariant(), "(nearly) zero");
  // The same function scaled to a sensible size passes; the threshold can be set per call.
  const auto identity = [](const std::vector<at::Tensor>& x) { return x; };
  EQT_EXPECT_EQUIVARIANT(identity, inputs, {"2x0e+1x1o"}, {"2x0e+1x1o"});
  EQT_EXPECT_EQUIVARIANT(nearly_zero, inputs, {"2x0e+1x1o"}, {"2x0e+1x1o"}, 0.0, EquivarianceOptions{}, 1e-14);
}

TEST(Equivariance, RejectsMismatchedShapes) {
  const auto identity = [](const std::vector<at::Tensor>& x) { return x; };
  EXPECT_THROW(equivariance_error(identity, {at::zeros({2, 4}, at::kDouble)}, {"1o"}, {"1o"}), Error);
  EXPECT_THROW(equivariance_error(identity, {"1o"}, {"1o", "1o"}), Error);
  EXPECT_THROW(equivariance_error(identity, {"1o"}, {"2e"}), Error);
  EXPECT_THROW(random_inputs({Transform::invariant()}, 2, 0), Error);
}

}  // namespace eqt::so3
