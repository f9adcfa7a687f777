#include "eqt/core/error.h"
#include "eqt/so3/irreps.h"
#include "support/reference.h"

namespace eqt::so3 {

TEST(Irreps, MatchesE3nnReference) {
  EQT_REQUIRE_SHARED(shared);
  const auto cases = testing::load_json(shared / "reference/e3nn/irreps.json");
  int checked = 0;
  for (const auto& c : cases) {
    if (!c.contains("input")) continue;
    const Irreps irreps(c["input"].get<std::string>());
    SCOPED_TRACE(c["input"].get<std::string>());
    EXPECT_EQ(irreps.str(), c["str"].get<std::string>());
    EXPECT_EQ(irreps.dim(), c["dim"].get<int64_t>());
    EXPECT_EQ(irreps.num_irreps(), c["num_irreps"].get<int64_t>());
    EXPECT_EQ(irreps.lmax(), c["lmax"].get<int>());
    ASSERT_EQ(irreps.size(), c["list"].size());
    for (std::size_t i = 0; i < irreps.size(); ++i) {
      EXPECT_EQ(irreps[i].mul, c["list"][i][0].get<int>());
      EXPECT_EQ(irreps[i].ir.l, c["list"][i][1].get<int>());
      EXPECT_EQ(irreps[i].ir.p, c["list"][i][2].get<int>());
      EXPECT_EQ(irreps.slices()[i].first, c["slices"][i][0].get<int64_t>());
      EXPECT_EQ(irreps.slices()[i].second, c["slices"][i][1].get<int64_t>());
    }
    EXPECT_EQ(irreps.ls(), c["ls"].get<std::vector<int>>());
    EXPECT_EQ(irreps.simplify().str(), c["simplify"].get<std::string>());
    const auto sorted = irreps.sort();
    EXPECT_EQ(sorted.irreps.str(), c["sorted"].get<std::string>());
    EXPECT_EQ(sorted.p, c["sort_p"].get<std::vector<int>>());
    EXPECT_EQ(sorted.inv, c["sort_inv"].get<std::vector<int>>());
    ++checked;
  }
  EXPECT_GE(checked, 10);
  for (const auto& c : cases) {
    if (c.contains("spherical_harmonics(3)")) {
      EXPECT_EQ(Irreps::spherical_harmonics(3).str(), c["spherical_harmonics(3)"].get<std::string>());
      EXPECT_EQ(Irreps::spherical_harmonics(3, 1).str(),
                c["spherical_harmonics(3,p=1)"].get<std::string>());
    }
    if (c.contains("product_1o_x_1o")) {
      std::vector<std::string> got;
      for (const auto& ir : Irrep("1o") * Irrep("1o")) got.push_back(ir.str());
      EXPECT_EQ(got, c["product_1o_x_1o"].get<std::vector<std::string>>());
      got.clear();
      for (const auto& ir : Irrep("2e") * Irrep("1e")) got.push_back(ir.str());
      EXPECT_EQ(got, c["product_2e_x_1e"].get<std::vector<std::string>>());
    }
  }
}

TEST(Irreps, ParsesShorthandAndRoundTrips) {
  EXPECT_EQ(Irreps("0e + 2x1e + 0o").str(), "1x0e+2x1e+1x0o");
  EXPECT_EQ(Irreps("3y").str(), "1x3o");
  EXPECT_EQ(Irreps("").dim(), 0);
  const Irreps a("4x0e+2x1o");
  EXPECT_EQ(Irreps(a.str()), a);
  EXPECT_EQ((a + Irreps("1x2e")).str(), "4x0e+2x1o+1x2e");
  EXPECT_EQ(a.repeat(2).str(), "4x0e+2x1o+4x0e+2x1o");
  EXPECT_EQ(Irreps("0x1e+2x0e+1x0e").simplify().str(), "3x0e");
  EXPECT_EQ(Irreps("2x0e+1x1o+3x0e").count(Irrep("0e")), 5);
}

TEST(Irreps, RejectsMalformedStrings) {
  for (const char* bad : {"1x", "x0e", "2x1q", "1.5x0e", "0e++1o", "-1x0e", "ae", "2x-1e", "+"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(Irreps{std::string(bad)}, Error);
  }
}

}  // namespace eqt::so3
