// tools/convert_equiformer_checkpoint.py: an official-style .pth (built with python3-torch from a
// reference export, wrapped as main_md17.py saves it) converts into a directory that `eqt predict`
// loads and that reproduces the official outputs.
#include <gtest/gtest.h>

#include "predict_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

std::string python() { return EQT_TEST_PYTHON; }
std::string script(const char* relative) { return shell_quote((source_dir() / relative).string()); }

bool python_has_torch() { return run_command(python() + " -c 'import torch'").exit_code == 0; }

// Predicts the reference structures with the converted model and compares with outputs.json.
void expect_reference_outputs(const fs::path& converted, const fs::path& reference, const fs::path& shared,
                              const fs::path& dir) {
  data::write_extxyz(dir / "in.xyz", reference_structures_of(shared));
  const auto r = run_predict("--model " + quoted(converted) + " --input " + quoted(dir / "in.xyz") + " --output " +
                             quoted(dir / "out.xyz") + " --dtype float64");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto predicted = data::read_extxyz(dir / "out.xyz");
  const auto expected = load_json(reference / "outputs.json").at("per_structure");
  ASSERT_EQ(predicted.size(), expected.size());
  for (std::size_t k = 0; k < predicted.size(); ++k) {
    const double energy = expected[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(predicted[k].info_scalar("energy"), energy, 1e-9 * std::abs(energy));
    EXPECT_LT(scaled_error(predicted[k].arrays.at("forces"), tensor_from_json(expected[k].at("forces_denormalized"))),
              1e-9);
  }
}

class ConvertCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto found = shared_dir();
    if (!found) EQT_SKIP_OR_FAIL() << "../shared not found next to the checkout (set EQT_SHARED_DIR)";
    if (!python_has_torch()) EQT_SKIP_OR_FAIL() << python() << " has no torch (apt install python3-torch): converter test skipped";
    shared = *found;
    reference = reference_model(shared, "small_gat_nonlinear_exp");
    dir = temp_dir("convert_checkpoint");
    const auto r = run_command(python() + " " + script("tests/cli/make_official_checkpoint.py") + " " +
                               quoted(reference) + " " + quoted(dir / "best.pth.tar") + " --data-parallel");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  void TearDown() override {
    if (!dir.empty()) fs::remove_all(dir);
  }
  CommandResult convert(const std::string& arguments) {
    return run_command(python() + " " + script("tools/convert_equiformer_checkpoint.py") + " " +
                       quoted(dir / "best.pth.tar") + " " + arguments);
  }
  fs::path shared, reference, dir;
};

TEST_F(ConvertCheckpoint, WithAConfigFileReproducesTheReference) {
  const auto r = convert(quoted(dir / "converted") + " --config " + quoted(reference / "config.json"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("dropped 3 e3nn internal buffers"), std::string::npos) << r.output;
  const auto config = load_json(dir / "converted" / "config.json");
  EXPECT_EQ(config.at("class"), load_json(reference / "config.json").at("class"));
  expect_reference_outputs(dir / "converted", reference, shared, dir);
}

TEST_F(ConvertCheckpoint, WithARegistryNameAndOverridesReproducesTheReference) {
  const auto kwargs = load_json(reference / "config.json").at("constructor_kwargs");
  std::string overrides;
  for (const char* key : {"irreps_node_embedding", "num_layers", "fc_neurons", "irreps_feature", "irreps_head",
                          "num_heads", "irreps_mlp_mid"}) {
    const auto& value = kwargs.at(key);
    overrides += " --set " + shell_quote(std::string(key) + "=" + (value.is_string() ? value.get<std::string>() : value.dump()));
  }
  const auto r = convert(quoted(dir / "named") + " --model-name graph_attention_transformer_nonlinear_exp_l2_md17" +
                         " --radius " + kwargs.at("max_radius").dump() + " --num-basis " +
                         kwargs.at("number_of_basis").dump() + " --task-mean " + kwargs.at("mean").dump() +
                         " --task-std " + kwargs.at("std").dump() + overrides);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_reference_outputs(dir / "named", reference, shared, dir);
}

TEST_F(ConvertCheckpoint, UnknownModelNameIsRefused) {
  const auto r = convert(quoted(dir / "x") + " --model-name not_a_model");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("unknown model name 'not_a_model'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "x"));
}

}  // namespace
}  // namespace eqt::testing
