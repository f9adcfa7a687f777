// Model directories: official reference exports and eqt's own format load through one entry
// point; save_model -> load_model reproduces a model exactly.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/state_dict.h"
#include "model_dir_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;
using models::load_model;
using models::save_model;

class ModelDirReference : public ::testing::TestWithParam<const char*> {};

TEST_P(ModelDirReference, LoadsTheOfficialExportLikeTheReferenceLoader) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = equiformer_reference_dir(shared) / GetParam();
  const auto loaded = models::read_model_directory(dir, at::kDouble);
  EXPECT_EQ(loaded.model->kind(), "equiformer");
  EXPECT_EQ(loaded.source, load_json(dir / "config.json").at("class").get<std::string>());
  const auto structures = reference_structures(shared);
  const auto outputs = load_json(dir / "outputs.json").at("per_structure");
  const auto result = evaluate_all(*loaded.model, structures);
  for (std::size_t k = 0; k < structures.size(); ++k) {
    const double expected = outputs[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(result.energy[static_cast<int64_t>(k)].item<double>(), expected, 1e-9 * std::abs(expected));
  }
}

TEST_P(ModelDirReference, SaveThenLoadGivesIdenticalOutputs) {
  EQT_REQUIRE_SHARED(shared);
  const auto source = equiformer_reference_dir(shared) / GetParam();
  const auto out = temp_dir(std::string("model_dir_roundtrip_") + GetParam());
  const auto original = load_model(source, at::kDouble);
  save_model(*original, out / "model", {{1, 6, 8}});
  ASSERT_TRUE(fs::exists(out / "model" / "model.json"));
  const auto loaded = models::read_model_directory(out / "model", at::kDouble);
  EXPECT_EQ(loaded.source, "eqt-model");
  EXPECT_EQ(loaded.species, (std::vector<int64_t>{1, 6, 8}));
  const auto structures = reference_structures(shared);
  const auto a = evaluate_all(*original, structures);
  const auto b = evaluate_all(*loaded.model, structures);
  EXPECT_TRUE(at::equal(a.energy, b.energy));
  EXPECT_TRUE(at::equal(a.forces, b.forces));
  // What other tools read from model.json without knowing the architecture.
  const auto json = load_json(out / "model" / "model.json");
  EXPECT_EQ(json.at("format"), "eqt-model");
  EXPECT_EQ(json.at("kind"), "equiformer");
  EXPECT_EQ(json.at("eqt_version"), EQT_VERSION);
  EXPECT_EQ(json.at("cutoff").get<double>(), original->cutoff());
  const auto config = load_json(source / "config.json").at("constructor_kwargs");
  EXPECT_EQ(json.at("normalisation").at("mean"), config.at("mean"));
  EXPECT_EQ(json.at("normalisation").at("std"), config.at("std"));
  EXPECT_EQ(json.at("species"), nlohmann::json({"H", "C", "O"}));
  // No temporary directories are left beside the model.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(out)) entries += static_cast<int>(!e.path().empty());
  EXPECT_EQ(entries, 1);
  fs::remove_all(out);
}

TEST_P(ModelDirReference, Float32LoadMatchesFloat64ToSinglePrecision) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = equiformer_reference_dir(shared) / GetParam();
  const auto structures = reference_structures(shared);
  const auto f64 = evaluate_all(*load_model(dir, at::kDouble), structures);
  auto single = load_model(dir, at::kFloat);
  std::vector<const data::Structure*> all;
  for (const auto& s : structures) all.push_back(&s);
  const auto f32 = models::evaluate(*single, graph_of(all, single->cutoff(), at::kFloat));
  EXPECT_EQ(f32.energy.scalar_type(), at::kFloat);
  EXPECT_LT(max_abs_diff(f32.energy.to(at::kDouble), f64.energy), 1e-4 * f64.energy.abs().max().item<double>());
}

INSTANTIATE_TEST_SUITE_P(Configs, ModelDirReference, ::testing::ValuesIn(kEquiformerReferenceConfigs));

TEST(ModelDir, RoundTripKeepsReferenceEnergiesAndEveryHyperParameter) {
  auto config = small_config();
  config.atomref = std::vector<double>(30, 0.0);
  config.atomref[1] = -13.6;
  config.atomref[8] = -2041.2;
  config.atomref[29] = -0.5;
  config.scale = 1.7;
  config.attention = models::equiformer::AttentionType::DotProduct;
  config.nonlinear_message = false;
  at::manual_seed(3);
  models::equiformer::EquiformerModel original(config, at::kDouble);
  const auto dir = temp_dir("model_dir_atomref");
  save_model(original, dir / "m");
  const auto json = load_json(dir / "m" / "model.json");
  EXPECT_EQ(json.at("normalisation").at("reference_energies"), nlohmann::json({{"H", -13.6}, {"O", -2041.2}, {"Cu", -0.5}}));
  EXPECT_EQ(json.at("architecture").at("attention"), "dot_product");
  const auto loaded = load_model(dir / "m", at::kDouble);
  const auto& round = dynamic_cast<const models::equiformer::EquiformerModel&>(*loaded).config();
  EXPECT_EQ(round.scale, config.scale);
  EXPECT_EQ(round.attention, config.attention);
  EXPECT_EQ(round.irreps_head, config.irreps_head);
  EXPECT_EQ(round.fc_neurons, config.fc_neurons);
  const std::vector<data::Structure> structures = {distorted_fcc()};
  auto periodic = models::evaluate(original, graph_of(structures[0], config.max_radius), {true, true});
  auto again = models::evaluate(*loaded, graph_of(structures[0], config.max_radius), {true, true});
  EXPECT_TRUE(at::equal(periodic.energy, again.energy));
  EXPECT_TRUE(at::equal(periodic.forces, again.forces));
  EXPECT_TRUE(at::equal(periodic.stress, again.stress));
  // Saving again over the model replaces it; anything else at the path is refused.
  save_model(*loaded, dir / "m");
  EXPECT_TRUE(fs::exists(dir / "m" / "weights.safetensors"));
  write_text(dir / "notes.txt", "x");
  fs::create_directories(dir / "other");
  write_text(dir / "other" / "notes.txt", "keep me");
  EXPECT_THROW(save_model(*loaded, dir / "other"), Error);
  EXPECT_EQ(read_text(dir / "other" / "notes.txt"), "keep me");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
