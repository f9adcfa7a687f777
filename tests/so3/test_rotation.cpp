#include "eqt/so3/rotation.h"

#include <cmath>

#include "eqt/core/error.h"
#include "support/reference.h"

namespace eqt::so3 {
namespace {

using testing::scalar;

double orthogonality_error(const at::Tensor& r) {
  const auto eye = at::eye(3, r.options()).expand_as(r);
  return testing::max_abs_diff(at::matmul(r, r.transpose(-1, -2)), eye);
}

}  // namespace

TEST(Rotation, AnglesToMatrixMatchesE3nnReference) {
  EQT_REQUIRE_SHARED(shared);
  const auto reference = testing::load_json(shared / "reference/e3nn/wigner_D.json");
  int checked = 0;
  for (const auto& entry : reference["entries"]) {
    const auto r = angles_to_matrix(scalar(entry["alpha"].get<double>()),
                                    scalar(entry["beta"].get<double>()),
                                    scalar(entry["gamma"].get<double>()));
    EXPECT_LT(testing::max_abs_diff(r, testing::tensor_from_json(entry["rotation_matrix_xyz"])), 1e-14);
    ++checked;
  }
  EXPECT_EQ(checked, 7);
}

TEST(Rotation, AxisMatricesAreRightHanded) {
  const auto angle = scalar(0.4);
  const double c = std::cos(0.4), s = std::sin(0.4);
  // A positive rotation about x takes y towards z, about y takes z towards x, about z x towards y.
  const auto ex = at::tensor({1.0, 0.0, 0.0}, at::kDouble), ey = at::tensor({0.0, 1.0, 0.0}, at::kDouble),
             ez = at::tensor({0.0, 0.0, 1.0}, at::kDouble);
  EXPECT_LT(testing::max_abs_diff(at::mv(matrix_x(angle), ey), c * ey + s * ez), 1e-15);
  EXPECT_LT(testing::max_abs_diff(at::mv(matrix_y(angle), ez), c * ez + s * ex), 1e-15);
  EXPECT_LT(testing::max_abs_diff(at::mv(matrix_z(angle), ex), c * ex + s * ey), 1e-15);
  // Euler convention: R(a, b, g) = R_y(a) R_x(b) R_y(g).
  const auto a = scalar(0.3), b = scalar(-1.2), g = scalar(2.0);
  const auto expected = at::matmul(at::matmul(matrix_y(a), matrix_x(b)), matrix_y(g));
  EXPECT_LT(testing::max_abs_diff(angles_to_matrix(a, b, g), expected), 1e-15);
}

TEST(Rotation, BatchesAndBroadcasts) {
  const auto alpha = at::linspace(-3.0, 3.0, 6, at::kDouble).reshape({2, 3});
  const auto r = angles_to_matrix(alpha, scalar(0.5), at::zeros({3}, at::kDouble));
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{2, 3, 3, 3}));
  EXPECT_LT(testing::max_abs_diff(r[1][2], angles_to_matrix(alpha[1][2], scalar(0.5), scalar(0.0))),
            1e-15);
  EXPECT_EQ(matrix_z(alpha.to(at::kFloat)).scalar_type(), at::kFloat);
}

TEST(Rotation, MatrixToAnglesInvertsAnglesToMatrix) {
  for (const auto dtype : {at::kDouble, at::kFloat}) {
    const auto r = random_rotation({4, 25}, 7, dtype);
    const auto angles = matrix_to_angles(r);
    ASSERT_EQ(angles.alpha.sizes(), (std::vector<int64_t>{4, 25}));
    const auto back = angles_to_matrix(angles.alpha, angles.beta, angles.gamma);
    EXPECT_LT(testing::max_abs_diff(back, r), dtype == at::kDouble ? 1e-13 : 2e-5);
    EXPECT_GE(angles.beta.min().item<double>(), 0.0);
    EXPECT_LE(angles.beta.max().item<double>(), M_PI);
  }
}

TEST(Rotation, MatrixToAnglesRejectsImproperRotations) {
  const auto r = random_rotation({3}, 1);
  EXPECT_THROW(matrix_to_angles(-r), Error);
  EXPECT_THROW(matrix_to_angles(at::ones({3, 2}, at::kDouble)), Error);
}

TEST(Rotation, XyzAnglesRoundTripAndZeroVectorIsFinite) {
  const auto xyz = at::randn({50, 3}, make_cpu_generator(3), at::kDouble);
  const auto angles = xyz_to_angles(xyz);
  const auto unit = xyz / xyz.norm(2, {-1}, true);
  EXPECT_LT(testing::max_abs_diff(angles_to_xyz(angles.alpha, angles.beta), unit), 1e-14);
  // R(alpha, beta, 0) e_y is that point.
  const auto r = angles_to_matrix(angles.alpha, angles.beta, angles.gamma);
  EXPECT_LT(testing::max_abs_diff(r.select(-1, 1), unit), 1e-14);
  const auto zero = xyz_to_angles(at::zeros({3}, at::kDouble));
  EXPECT_TRUE(std::isfinite(zero.alpha.item<double>()));
  EXPECT_TRUE(std::isfinite(zero.beta.item<double>()));
}

TEST(Rotation, RandomRotationsAreProperReproducibleAndUniform) {
  const auto r = random_rotation({20000}, 42);
  EXPECT_LT(orthogonality_error(r), 1e-14);
  EXPECT_LT((at::linalg_det(r) - 1.0).abs().max().item<double>(), 1e-13);
  EXPECT_TRUE(at::equal(r, random_rotation({20000}, 42)));
  EXPECT_FALSE(at::equal(r, random_rotation({20000}, 43)));
  // float32 rotations are the rounded float64 ones.
  EXPECT_TRUE(at::equal(random_rotation({5}, 42, at::kFloat), random_rotation({5}, 42).to(at::kFloat)));
  // Haar measure: every entry averages to zero (std of the mean ~ 1/sqrt(3 N) = 0.004), and
  // E[R_ij^2] = 1/3.
  EXPECT_LT(r.mean(0).abs().max().item<double>(), 0.03);
  EXPECT_LT((r.pow(2).mean(0) - 1.0 / 3.0).abs().max().item<double>(), 0.03);
  // A shared generator advances between calls.
  auto generator = make_cpu_generator(5);
  EXPECT_FALSE(at::equal(random_rotation({2}, generator), random_rotation({2}, generator)));
  EXPECT_EQ(random_rotation({}, 1).sizes(), (std::vector<int64_t>{3, 3}));
}

}  // namespace eqt::so3
