// Broken model directories give eqt::Error messages that name the file and the problem.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/model_registry.h"
#include "model_dir_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

class ModelDirErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto shared = shared_dir();
    if (!shared) EQT_SKIP_OR_FAIL() << "../shared not found next to the checkout (set EQT_SHARED_DIR)";
    reference = equiformer_reference_dir(*shared) / "small_dp_exp";
    work = temp_dir("model_dir_errors");
    copy = writable_copy(reference, work / "copy");
  }
  void TearDown() override {
    if (!work.empty()) fs::remove_all(work);
  }
  fs::path reference, work, copy;
};

TEST_F(ModelDirErrors, MissingDirectory) {
  const auto message = load_error(work / "nowhere");
  EXPECT_CONTAINS(message, (work / "nowhere").string());
  EXPECT_CONTAINS(message, "does not exist");
}

TEST_F(ModelDirErrors, DirectoryWithoutAModel) {
  fs::create_directories(work / "empty");
  EXPECT_CONTAINS(load_error(work / "empty"), "neither model.json");
}

TEST_F(ModelDirErrors, MissingWeights) {
  fs::remove(copy / "weights.safetensors");
  const auto message = load_error(copy);
  EXPECT_CONTAINS(message, copy.string());
  EXPECT_CONTAINS(message, "missing weights file weights.safetensors");
}

TEST_F(ModelDirErrors, TruncatedWeights) {
  const auto size = fs::file_size(copy / "weights.safetensors");
  fs::resize_file(copy / "weights.safetensors", size / 2);
  EXPECT_CONTAINS(load_error(copy), (copy / "weights.safetensors").string());
}

TEST_F(ModelDirErrors, CorruptWeightsHeader) {
  write_text(copy / "weights.safetensors", std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "garbage");
  EXPECT_CONTAINS(load_error(copy), (copy / "weights.safetensors").string());
}

TEST_F(ModelDirErrors, CorruptJson) {
  write_text(copy / "config.json", "{\"class\": \"nets.dp_attention_transformer_md17.Dot");
  const auto message = load_error(copy);
  EXPECT_CONTAINS(message, (copy / "config.json").string());
  EXPECT_CONTAINS(message, "not valid JSON");
}

TEST_F(ModelDirErrors, UnknownClass) {
  auto config = load_json(copy / "config.json");
  config["class"] = "nets.some_other.NotAModel";
  write_text(copy / "config.json", config.dump());
  const auto message = load_error(copy);
  EXPECT_CONTAINS(message, "unknown model class 'nets.some_other.NotAModel'");
  EXPECT_CONTAINS(message, "GraphAttentionTransformerMD17");  // the known ones are listed
}

TEST_F(ModelDirErrors, WrongTypedKeyIsNamed) {
  auto config = load_json(copy / "config.json");
  config["constructor_kwargs"]["num_layers"] = "two";
  write_text(copy / "config.json", config.dump());
  const auto message = load_error(copy);
  EXPECT_CONTAINS(message, (copy / "config.json").string());
  EXPECT_CONTAINS(message, "'num_layers' must be an integer");
}

TEST_F(ModelDirErrors, MissingAndExtraTensors) {
  auto tensors = io::read_safetensors(reference / "weights.safetensors").tensors;
  const std::string removed = tensors.begin()->first;
  tensors.erase(tensors.begin());
  tensors["blocks.0.not_a_parameter"] = at::zeros({2}, at::kDouble);
  io::write_safetensors(copy / "weights.safetensors", tensors);
  const auto message = load_error(copy);
  EXPECT_CONTAINS(message, copy.string());
  EXPECT_CONTAINS(message, removed);
  EXPECT_CONTAINS(message, "blocks.0.not_a_parameter");
}

class EqtFormatErrors : public ModelDirErrors {
 protected:
  void SetUp() override {
    ModelDirErrors::SetUp();
    if (IsSkipped()) return;
    saved = work / "saved";
    models::save_model(*models::load_model(reference, at::kDouble), saved);
    json = load_json(saved / "model.json");
  }
  std::string error_with(const nlohmann::json& changed) {
    write_text(saved / "model.json", changed.dump());
    return load_error(saved);
  }
  fs::path saved;
  nlohmann::json json;
};

TEST_F(EqtFormatErrors, UnknownKind) {
  auto changed = json;
  changed["kind"] = "schnet";
  const auto message = error_with(changed);
  EXPECT_CONTAINS(message, (saved / "model.json").string());
  EXPECT_CONTAINS(message, "unknown model kind 'schnet'");
}

TEST_F(EqtFormatErrors, WrongTypedArchitectureKey) {
  auto changed = json;
  changed["architecture"]["max_radius"] = "5 A";
  EXPECT_CONTAINS(error_with(changed), "'max_radius' must be a number");
}

TEST_F(EqtFormatErrors, UnknownArchitectureKey) {
  auto changed = json;
  changed["architecture"]["num_layer"] = 3;
  EXPECT_CONTAINS(error_with(changed), "unknown key 'num_layer'");
}

TEST_F(EqtFormatErrors, NewerFormatVersion) {
  auto changed = json;
  changed["format_version"] = models::kModelFormatVersion + 1;
  EXPECT_CONTAINS(error_with(changed), "newer eqt");
}

TEST_F(EqtFormatErrors, CutoffThatDisagreesWithTheArchitecture) {
  auto changed = json;
  changed["cutoff"] = 6.0;
  EXPECT_CONTAINS(error_with(changed), "'cutoff'");
}

TEST_F(EqtFormatErrors, UnknownSpecies) {
  auto changed = json;
  changed["species"] = {"H", "Xx"};
  EXPECT_CONTAINS(error_with(changed), "\"Xx\" is not a chemical symbol");
}

// The registration point: a new class needs one call and no change to model_dir.
TEST(ModelRegistry, ANewReferenceClassLoadsThroughItsRegisteredLoader) {
  const auto dir = temp_dir("model_registry");
  write_text(dir / "config.json", R"({"class": "tests.Dummy", "constructor_kwargs": {}})");
  write_text(dir / "weights.safetensors", "");
  auto seen = std::make_shared<fs::path>();
  models::register_reference_class("tests.Dummy", [seen](const fs::path& d, c10::ScalarType) -> std::shared_ptr<models::Model> {
    *seen = d;
    fail("dummy loader reached");
  });
  EXPECT_NE(load_error(dir).find("dummy loader reached"), std::string::npos);
  EXPECT_EQ(*seen, dir);
  const auto classes = models::reference_classes();
  EXPECT_NE(std::find(classes.begin(), classes.end(), "tests.Dummy"), classes.end());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
