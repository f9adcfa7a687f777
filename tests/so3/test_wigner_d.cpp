#include "eqt/so3/wigner_d.h"

#include <string>

#include "eqt/core/error.h"
#include "eqt/so3/rotation.h"
#include "support/reference.h"

namespace eqt::so3 {
namespace {

using testing::scalar;

at::Tensor identity_like(const at::Tensor& d) { return at::eye(d.size(-1), d.options()).expand_as(d); }

}  // namespace

TEST(WignerD, MatchesE3nnReference) {
  EQT_REQUIRE_SHARED(shared);
  const auto reference = testing::load_json(shared / "reference/e3nn/wigner_D.json");
  int checked = 0;
  for (const auto& entry : reference["entries"]) {
    const auto alpha = scalar(entry["alpha"].get<double>()), beta = scalar(entry["beta"].get<double>()),
               gamma = scalar(entry["gamma"].get<double>());
    for (const auto& [key, value] : entry["D"].items()) {
      const int l = std::stoi(key);
      SCOPED_TRACE(::testing::Message() << "l=" << l << " angles " << entry["alpha"] << ","
                                        << entry["beta"] << "," << entry["gamma"]);
      EXPECT_LT(testing::max_abs_diff(wigner_D(l, alpha, beta, gamma), testing::tensor_from_json(value)),
                1e-12);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 7 * 5);
}

TEST(WignerD, DegreeOneIsTheRotationMatrix) {
  const auto r = random_rotation({30}, 11);
  EXPECT_LT(testing::max_abs_diff(wigner_D_from_matrix(1, r), r), 1e-14);
}

TEST(WignerD, IsOrthogonalAndAHomomorphism) {
  const auto r1 = random_rotation({10}, 1), r2 = random_rotation({10}, 2);
  for (int l = 0; l <= 8; ++l) {
    SCOPED_TRACE(::testing::Message() << "l=" << l);
    const auto d1 = wigner_D_from_matrix(l, r1), d2 = wigner_D_from_matrix(l, r2);
    ASSERT_EQ(d1.sizes(), (std::vector<int64_t>{10, 2 * l + 1, 2 * l + 1}));
    EXPECT_LT(testing::max_abs_diff(at::matmul(d1, d1.transpose(-1, -2)), identity_like(d1)), 1e-13);
    const auto composed = wigner_D_from_matrix(l, at::matmul(r1, r2));
    EXPECT_LT(testing::max_abs_diff(composed, at::matmul(d1, d2)), 1e-12);
    // D(R^-1) = D(R)^T
    EXPECT_LT(testing::max_abs_diff(wigner_D_from_matrix(l, r1.transpose(-1, -2)), d1.transpose(-1, -2)),
              1e-12);
  }
}

TEST(WignerD, AxisRotationsAreExponentialsOfTheGenerators) {
  const auto angle = scalar(0.83);
  const auto zero = scalar(0.0);
  for (int l = 0; l <= 8; ++l) {
    SCOPED_TRACE(::testing::Message() << "l=" << l);
    const auto x = so3_generators(l);
    ASSERT_EQ(x.sizes(), (std::vector<int64_t>{3, 2 * l + 1, 2 * l + 1}));
    EXPECT_LT(testing::max_abs_diff(wigner_D(l, zero, angle, zero), at::matrix_exp(0.83 * x[0])), 1e-12);
    EXPECT_LT(testing::max_abs_diff(wigner_D(l, angle, zero, zero), at::matrix_exp(0.83 * x[1])), 1e-12);
    EXPECT_LT(testing::max_abs_diff(wigner_D_from_matrix(l, matrix_z(angle)), at::matrix_exp(0.83 * x[2])),
              1e-12);
    // so(3) commutation relations [X_x, X_y] = X_z (and cyclic), antisymmetry.
    const auto bracket = [](const at::Tensor& a, const at::Tensor& b) { return at::mm(a, b) - at::mm(b, a); };
    EXPECT_LT(testing::max_abs_diff(bracket(x[0], x[1]), x[2]), 1e-12);
    EXPECT_LT(testing::max_abs_diff(bracket(x[1], x[2]), x[0]), 1e-12);
    EXPECT_LT(testing::max_abs_diff(bracket(x[2], x[0]), x[1]), 1e-12);
    EXPECT_LT(testing::max_abs_diff(x, -x.transpose(-1, -2)), 1e-15);
  }
}

TEST(WignerD, BroadcastsAnglesAndSupportsFloat32) {
  const auto alpha = at::linspace(0.0, 6.0, 4, at::kDouble).reshape({4, 1});
  const auto beta = at::linspace(-1.0, 2.0, 3, at::kDouble);
  const auto d = wigner_D(3, alpha, beta, scalar(0.2));
  ASSERT_EQ(d.sizes(), (std::vector<int64_t>{4, 3, 7, 7}));
  EXPECT_LT(testing::max_abs_diff(d[2][1], wigner_D(3, alpha[2][0], beta[1], scalar(0.2))), 1e-15);
  const auto single = wigner_D(3, alpha.to(at::kFloat), beta.to(at::kFloat), scalar(0.2).to(at::kFloat));
  EXPECT_EQ(single.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_abs_diff(single, d), 1e-5);
  EXPECT_THROW(wigner_D(-1, scalar(0.0), scalar(0.0), scalar(0.0)), Error);
}

TEST(WignerD, IrrepsRepresentationHandlesParity) {
  const Irreps irreps("2x0e+1x0o+1x1o+1x1e+2x2e+1x3o");
  const auto q = random_rotation({5}, 3);
  const auto proper = irreps_D(irreps, q);
  ASSERT_EQ(proper.sizes(), (std::vector<int64_t>{5, irreps.dim(), irreps.dim()}));
  const auto improper = irreps_D(irreps, -q);
  // Inversion alone: +1 on even blocks, -1 on odd blocks.
  const auto inversion = irreps_D(irreps, -at::eye(3, at::kDouble));
  std::vector<double> parity;
  for (const auto& item : irreps) {
    for (int i = 0; i < item.dim(); ++i) parity.push_back(item.ir.p);
  }
  EXPECT_LT(testing::max_abs_diff(inversion, at::diag(at::tensor(parity, at::kDouble))), 1e-14);
  EXPECT_LT(testing::max_abs_diff(improper, at::matmul(inversion, proper)), 1e-13);
  // Blocks: 2x0e is the identity, 1o transforms like the matrix itself (also when improper),
  // 1e like its proper part, a 2e copy like wigner_D(2).
  const auto scalars = proper.narrow(-2, 0, 2).narrow(-1, 0, 2);
  EXPECT_LT(testing::max_abs_diff(scalars, identity_like(scalars)), 1e-15);
  EXPECT_LT(testing::max_abs_diff(improper.narrow(-2, 3, 3).narrow(-1, 3, 3), -q), 1e-13);
  EXPECT_LT(testing::max_abs_diff(improper.narrow(-2, 6, 3).narrow(-1, 6, 3), q), 1e-13);
  EXPECT_LT(testing::max_abs_diff(proper.narrow(-2, 14, 5).narrow(-1, 14, 5), wigner_D_from_matrix(2, q)),
            1e-15);
  EXPECT_EQ(proper.narrow(-2, 9, 5).narrow(-1, 14, 5).abs().max().item<double>(), 0.0);
  // O(3) homomorphism with mixed determinants.
  const auto r1 = -random_rotation({5}, 4);
  EXPECT_LT(testing::max_abs_diff(irreps_D(irreps, at::matmul(r1, q)),
                                  at::matmul(irreps_D(irreps, r1), proper)), 1e-12);
  EXPECT_THROW(irreps_D(irreps, at::eye(2, at::kDouble)), Error);
}

}  // namespace eqt::so3
