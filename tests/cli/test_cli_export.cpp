// `eqt export` end to end: the exported directory predicts exactly what its source predicts, from
// an official export and from a training run directory; damaged copies are rejected with clear
// errors by `eqt predict` and `eqt eval` (never a crash).
#include <gtest/gtest.h>

#include "eqt/io/safetensors.h"
#include "eval_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

std::vector<data::Structure> predict_with(const fs::path& model, const fs::path& input, const fs::path& output,
                                          const std::string& extra = "") {
  const auto r = run_predict("--model " + quoted(model) + " --input " + quoted(input) + " --output " + quoted(output) +
                             " --dtype float64 " + extra);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return data::read_extxyz(output);
}

void expect_same_predictions(const std::vector<data::Structure>& a, const std::vector<data::Structure>& b) {
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double energy = b[k].info_scalar("energy");
    EXPECT_NEAR(a[k].info_scalar("energy"), energy, 1e-12 * std::max(1.0, std::abs(energy)));
    EXPECT_LT(scaled_error(a[k].arrays.at("forces"), b[k].arrays.at("forces")), 1e-12);
  }
}

TEST(CliExport, RoundTripOfAnOfficialExportPredictsIdentically) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("export_round_trip");
  data::write_extxyz(dir / "in.xyz", reference_structures_of(shared));
  const auto source = reference_model(shared, "small_gat_nonlinear_exp");
  auto r = run_eqt("export --model " + quoted(source) + " --output " + quoted(dir / "exported"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("crc32"), std::string::npos) << r.output;
  const auto model_json = load_json(dir / "exported" / "model.json");
  EXPECT_EQ(model_json["weights"]["bytes"].get<uint64_t>(), fs::file_size(dir / "exported" / "weights.safetensors"));
  expect_same_predictions(predict_with(dir / "exported", dir / "in.xyz", dir / "a.xyz"),
                          predict_with(source, dir / "in.xyz", dir / "b.xyz"));

  // Exporting the export, and through a training run directory (RUN_DIR/model), changes nothing.
  fs::create_directories(dir / "run");
  fs::rename(dir / "exported", dir / "run" / "model");
  r = run_eqt("export --model " + quoted(dir / "run") + " --output " + quoted(dir / "again"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read_text_file(dir / "again" / "weights.safetensors"), read_text_file(dir / "run" / "model" / "weights.safetensors"));
  expect_same_predictions(predict_with(dir / "again", dir / "in.xyz", dir / "c.xyz"),
                          predict_with(source, dir / "in.xyz", dir / "d.xyz"));
  fs::remove_all(dir);
}

TEST(CliExport, PetRoundTripPredictsIdentically) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("export_pet");
  first_frames(shared / "data" / "methane" / "methane_val.xyz", 3, dir / "in.xyz");
  const auto source = shared / "reference" / "pet" / "pet_small";
  const auto r = run_eqt("export --model " + quoted(source) + " --output " + quoted(dir / "exported"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(load_json(dir / "exported" / "model.json")["kind"], "pet");
  expect_same_predictions(predict_with(dir / "exported", dir / "in.xyz", dir / "a.xyz"),
                          predict_with(source, dir / "in.xyz", dir / "b.xyz"));
  fs::remove_all(dir);
}

// --ecse stores the wrapped model (and its fallback): the export predicts, without --ecse, what
// the source predicts with it.
TEST(CliExport, EcseExportPredictsLikeEcseAtPredictTime) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("export_ecse");
  first_frames(shared / "data" / "methane" / "methane_val.xyz", 2, dir / "in.xyz");
  const auto source = shared / "reference" / "pet" / "pet_small";
  const auto fallback = source;  // any model directory; the backbone itself keeps the test fast
  const auto r = run_eqt("export --model " + quoted(source) + " --output " + quoted(dir / "exported") +
                         " --ecse --ecse-fallback " + quoted(fallback));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto model_json = load_json(dir / "exported" / "model.json");
  EXPECT_EQ(model_json["kind"], "ecse(pet)");
  EXPECT_EQ(model_json["architecture"]["fallback"]["kind"], "pet");
  expect_same_predictions(
      predict_with(dir / "exported", dir / "in.xyz", dir / "a.xyz"),
      predict_with(source, dir / "in.xyz", dir / "b.xyz", "--ecse --ecse-fallback " + quoted(fallback)));
  fs::remove_all(dir);
}

TEST(CliExport, Float32StoresSinglePrecisionWeights) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("export_float32");
  data::write_extxyz(dir / "in.xyz", reference_structures_of(shared));
  const auto source = reference_model(shared, "small_dp_exp");
  const auto r = run_eqt("export --model " + quoted(source) + " --output " + quoted(dir / "f32") + " --dtype float32");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const auto& [name, tensor] : io::read_safetensors(dir / "f32" / "weights.safetensors").tensors) {
    if (tensor.is_floating_point()) EXPECT_EQ(tensor.scalar_type(), at::kFloat) << name;
  }
  const auto a = predict_with(dir / "f32", dir / "in.xyz", dir / "a.xyz");
  const auto b = predict_with(source, dir / "in.xyz", dir / "b.xyz");
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_NEAR(a[k].info_scalar("energy"), b[k].info_scalar("energy"), 1e-5 * std::abs(b[k].info_scalar("energy")));
  }
  fs::remove_all(dir);
}

TEST(CliExport, RefusesToOverwriteItsSource) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("export_onto_itself");
  auto r = run_eqt("export --model " + quoted(reference_model(shared, "small_dp_exp")) + " --output " + quoted(dir / "m"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_eqt("export --model " + quoted(dir / "m") + " --output " + quoted(dir / "m"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("is the model directory being exported"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

// Damaged copies of an exported model: predict and eval fail cleanly, naming the damaged file.
class CliDamagedModel : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto shared = shared_dir();
    if (!shared) EQT_SKIP_OR_FAIL() << "../shared not found";
    dir = temp_dir("export_damaged");
    first_frames(*shared / "data" / "rmd17" / "rmd17_ethanol_test.xyz", 1, dir / "in.xyz");
    model = dir / "model";
    const auto r = run_eqt("export --model " + quoted(reference_model(*shared, "small_dp_exp")) + " --output " +
                           quoted(model));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    weights = model / "weights.safetensors";
    config = model / "model.json";
  }
  void TearDown() override {
    if (!dir.empty()) fs::remove_all(dir);
  }
  // Both verbs fail with exit code 1 and a message containing every part.
  void expect_clean_failure(const std::vector<std::string>& parts) {
    const std::string common = "--model " + quoted(model) + " --input " + quoted(dir / "in.xyz");
    for (const std::string& verb : {"predict " + common + " --output " + quoted(dir / "out.xyz"),
                                    "eval " + common + " --no-plots --output-dir " + quoted(dir / "eval")}) {
      const auto r = run_eqt(verb);
      EXPECT_EQ(r.exit_code, 1) << verb << "\n" << r.output;
      EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
      for (const auto& part : parts) EXPECT_NE(r.output.find(part), std::string::npos) << part << "\n" << r.output;
    }
    EXPECT_FALSE(fs::exists(dir / "out.xyz"));
    EXPECT_FALSE(fs::exists(dir / "eval" / "metrics.json"));
  }
  fs::path dir, model, weights, config;
};

TEST_F(CliDamagedModel, TruncatedWeights) {
  fs::resize_file(weights, fs::file_size(weights) - 100);
  expect_clean_failure({weights.string(), "truncated"});
}

TEST_F(CliDamagedModel, FlippedByteInWeights) {
  std::string bytes = read_text_file(weights);
  bytes[bytes.size() - 50] ^= 0x10;  // inside the tensor data: the header still parses
  std::ofstream(weights, std::ios::binary | std::ios::trunc) << bytes;
  expect_clean_failure({weights.string(), "checksum mismatch", "corrupt"});
}

TEST_F(CliDamagedModel, TruncatedModelJson) {
  const std::string text = read_text_file(config);
  std::ofstream(config, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() / 2);
  expect_clean_failure({config.string(), "not valid JSON"});
}

TEST_F(CliDamagedModel, CorruptModelJson) {
  std::ofstream(config, std::ios::binary | std::ios::trunc) << std::string("\x00\x13garbage\xff", 10);
  expect_clean_failure({config.string(), "not valid JSON"});
}

TEST_F(CliDamagedModel, MissingWeights) {
  fs::remove(weights);
  expect_clean_failure({model.string(), "missing weights file weights.safetensors"});
}

TEST_F(CliDamagedModel, MissingModelJson) {
  fs::remove(config);
  expect_clean_failure({model.string(), "neither model.json"});
}

}  // namespace
}  // namespace eqt::testing
