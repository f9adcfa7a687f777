#include "eqt/so3/wigner_3j.h"

#include <cmath>
#include <thread>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/so3/rotation.h"
#include "eqt/so3/wigner_d.h"
#include "support/reference.h"

namespace eqt::so3 {

TEST(Wigner3j, MatchesE3nnReference) {
  EQT_REQUIRE_SHARED(shared);
  const auto reference = testing::load_json(shared / "reference/e3nn/wigner_3j.json");
  int checked = 0;
  for (const auto& entry : reference["entries"]) {
    const int l1 = entry["l1"].get<int>(), l2 = entry["l2"].get<int>(), l3 = entry["l3"].get<int>();
    SCOPED_TRACE(::testing::Message() << "l = " << l1 << "," << l2 << "," << l3);
    const auto expected = testing::tensor_from_json(entry["value"]);
    const auto got = wigner_3j(l1, l2, l3);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_LT(testing::max_abs_diff(got, expected), 1e-12);
    ++checked;
  }
  EXPECT_EQ(checked, 34);
}

TEST(Wigner3j, HasUnitNormAndOrthonormalCouplings) {
  // Q is unitary, so the complex CG orthogonality sum_{m1,m2} CG CG' = delta survives in the real
  // basis: contracting C over its first two indices gives identity / (2 l3 + 1).
  for (int l1 = 0; l1 <= 8; ++l1) {
    for (int l2 = 0; l2 <= 8; ++l2) {
      for (int l3 = std::abs(l1 - l2); l3 <= std::min(l1 + l2, 10); ++l3) {
        SCOPED_TRACE(::testing::Message() << "l = " << l1 << "," << l2 << "," << l3);
        const auto c = wigner_3j(l1, l2, l3);
        EXPECT_NEAR(c.norm().item<double>(), 1.0, 1e-14);
        const auto gram = at::einsum("ijk,ijn->kn", {c, c});
        const auto expected = at::eye(2 * l3 + 1, at::kDouble) / (2 * l3 + 1);
        EXPECT_LT(testing::max_abs_diff(gram, expected), 1e-14);
      }
    }
  }
}

TEST(Wigner3j, IsInvariantUnderSimultaneousRotation) {
  // C_lmn = C_ijk D1_il D2_jm D3_kn for random rotations, every triple up to l = 8.
  const auto rotations = random_rotation({3}, 2024);
  for (int l1 = 0; l1 <= 8; ++l1) {
    for (int l2 = 0; l2 <= 8; ++l2) {
      for (int l3 = std::abs(l1 - l2); l3 <= std::min(l1 + l2, 8); ++l3) {
        SCOPED_TRACE(::testing::Message() << "l = " << l1 << "," << l2 << "," << l3);
        const auto c = wigner_3j(l1, l2, l3);
        // One index at a time: a single four-operand einsum builds huge intermediates.
        auto rotated = at::einsum("zil,ijk->zljk", {wigner_D_from_matrix(l1, rotations), c});
        rotated = at::einsum("zjm,zljk->zlmk", {wigner_D_from_matrix(l2, rotations), rotated});
        rotated = at::einsum("zkn,zlmk->zlmn", {wigner_D_from_matrix(l3, rotations), rotated});
        EXPECT_LT(testing::max_abs_diff(rotated, c.expand_as(rotated)), 1e-12);
      }
    }
  }
}

TEST(Wigner3j, AnalyticSmallCases) {
  // wigner_3j(1,1,1) = epsilon_ijk / sqrt(6) in the (x, y, z) order.
  auto epsilon = at::zeros({3, 3, 3}, at::kDouble);
  const int even[3][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
  for (const auto& p : even) {
    epsilon[p[0]][p[1]][p[2]] = 1.0;
    epsilon[p[0]][p[2]][p[1]] = -1.0;
  }
  EXPECT_LT(testing::max_abs_diff(wigner_3j(1, 1, 1), epsilon / std::sqrt(6.0)), 1e-15);
  // Coupling with a scalar is the identity, normalised.
  for (int l = 0; l <= 6; ++l) {
    const auto identity = at::eye(2 * l + 1, at::kDouble) / std::sqrt(2.0 * l + 1);
    EXPECT_LT(testing::max_abs_diff(wigner_3j(l, 0, l).squeeze(1), identity), 1e-15);
    EXPECT_LT(testing::max_abs_diff(wigner_3j(0, l, l).squeeze(0), identity), 1e-15);
  }
}

TEST(Wigner3j, PermutingIndicesGivesTheSymbolUpToSign) {
  // Swapping two degrees permutes the tensor and multiplies it by (-1)^(l1+l2+l3).
  for (int l1 = 0; l1 <= 4; ++l1) {
    for (int l2 = 0; l2 <= 4; ++l2) {
      for (int l3 = std::abs(l1 - l2); l3 <= l1 + l2; ++l3) {
        const double sign = ((l1 + l2 + l3) % 2 == 0) ? 1.0 : -1.0;
        const auto c = wigner_3j(l1, l2, l3);
        EXPECT_LT(testing::max_abs_diff(wigner_3j(l2, l1, l3), sign * c.permute({1, 0, 2})), 1e-13);
        EXPECT_LT(testing::max_abs_diff(wigner_3j(l1, l3, l2), sign * c.permute({0, 2, 1})), 1e-13);
      }
    }
  }
}

TEST(Wigner3j, RejectsTriangleViolations) {
  EXPECT_THROW(wigner_3j(0, 1, 2), Error);
  EXPECT_THROW(wigner_3j(1, 1, 3), Error);
  EXPECT_THROW(wigner_3j(5, 1, 3), Error);
  EXPECT_THROW(wigner_3j(-1, 1, 0), Error);
}

TEST(Wigner3j, CastsAndReturnsIndependentCopies) {
  const auto single = wigner_3j(2, 2, 2, at::kFloat);
  EXPECT_EQ(single.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_abs_diff(single.to(at::kDouble), wigner_3j(2, 2, 2)), 1e-7);
  auto scratch = wigner_3j(2, 2, 2);
  scratch.zero_();
  EXPECT_NEAR(wigner_3j(2, 2, 2).norm().item<double>(), 1.0, 1e-14);
}

TEST(Wigner3j, ConcurrentCallsAgree) {
  std::vector<at::Tensor> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&results, t] { results[t] = wigner_3j(7, 6, 5); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& r : results) EXPECT_TRUE(at::equal(r, results[0]));
}

}  // namespace eqt::so3
