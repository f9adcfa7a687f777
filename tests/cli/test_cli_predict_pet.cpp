// `eqt predict` on the official PET reference export: energies and forces match the official code.
#include <gtest/gtest.h>

#include "predict_fixtures.h"

namespace eqt::testing {
namespace {

std::vector<data::Structure> pet_structures(const std::filesystem::path& shared) {
  const auto json = load_json(shared / "reference" / "pet" / "structures.json");
  std::vector<data::Structure> structures;
  for (const auto& s : json.at("structures")) {
    structures.push_back(data::make_structure(s.at("atomic_numbers").get<std::vector<int64_t>>(),
                                              tensor_from_json(s.at("positions"))));
  }
  return structures;
}

TEST(CliPredictPet, EnergiesAndForcesMatchTheOfficialOutputs) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_pet");
  const auto structures = pet_structures(shared);
  data::write_extxyz(dir / "in.xyz", structures);
  const auto model = shared / "reference" / "pet" / "pet_small";
  const auto r = run_predict("--model " + quoted(model) + " --input " + quoted(dir / "in.xyz") + " --output " +
                             quoted(dir / "out.xyz") + " --dtype float64 --batch-size 3");
  ASSERT_EQ(r.exit_code, 0) << r.output;

  const auto predicted = data::read_extxyz(dir / "out.xyz");
  const auto expected = load_json(model / "outputs.json").at("per_structure");
  ASSERT_EQ(predicted.size(), expected.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    SCOPED_TRACE(expected[k].at("name").get<std::string>());
    const double energy = expected[k].at("energy").get<double>();
    EXPECT_NEAR(predicted[k].info_scalar("energy"), energy, 1e-9 * std::abs(energy));
    ASSERT_TRUE(predicted[k].has_array("forces"));
    EXPECT_LT(scaled_error(predicted[k].arrays.at("forces"), tensor_from_json(expected[k].at("forces"))), 1e-9);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing

namespace eqt::testing {
namespace {

// --ecse wraps PET in ECSE: the official ECSE energies and forces (structures with <= 6 atoms), with
// upstream's repeated pruning passes (--ecse-pruning official).
TEST(CliPredictPet, EcseMatchesTheOfficialEcseOutputs) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("predict_pet_ecse");
  const auto model = shared / "reference" / "pet" / "pet_small";
  const auto expected_all = load_json(model / "outputs.json").at("per_structure");
  const auto all = pet_structures(shared);
  std::vector<data::Structure> structures;
  std::vector<nlohmann::json> expected;
  for (std::size_t k = 0; k < all.size(); ++k) {
    if (!expected_all[k].contains("ecse")) continue;
    structures.push_back(all[k]);
    expected.push_back(expected_all[k].at("ecse"));
  }
  ASSERT_GE(structures.size(), 5u);
  data::write_extxyz(dir / "in.xyz", structures);
  const auto r = run_predict("--model " + quoted(model) + " --ecse --ecse-pruning official --input " + quoted(dir / "in.xyz") +
                             " --output " + quoted(dir / "out.xyz") + " --dtype float64");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ecse(pet)"), std::string::npos) << r.output;
  const auto predicted = data::read_extxyz(dir / "out.xyz");
  ASSERT_EQ(predicted.size(), expected.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    const double energy = expected[k].at("energy").get<double>();
    EXPECT_NEAR(predicted[k].info_scalar("energy"), energy, 1e-9 * std::abs(energy));
    EXPECT_LT(scaled_error(predicted[k].arrays.at("forces"), tensor_from_json(expected[k].at("forces"))), 1e-9);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
