// The inference layer's one way to load and predict: --model as a model directory or a training
// run directory, ECSE wrapping and its pruning, the species check's wording, the stress policy,
// and one-structure prediction equal to the same structure's row of a batch.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/models/model_dir.h"
#include "support/random_pet.h"
#include "support/reference.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

const RandomPetSpec kSpec{{1, 6, 8}, 3.0, 2, 5};

// A run directory as `eqt train` leaves it: RUN/model/ holds the eqt model directory.
fs::path write_run(const std::string& name) {
  const fs::path run = temp_dir(name);
  models::save_model(*random_pet(kSpec), run / "model", {kSpec.species});
  std::ofstream(run / "metrics.csv") << "epoch\n";
  return run;
}

data::Structure molecule(std::vector<int64_t> numbers) {
  const at::Tensor positions =
      at::tensor({0.0, 0.0, 0.0, 1.1, 0.1, 0.0, -0.3, 1.0, 0.2, 0.4, -0.2, 1.05}, at::kDouble).view({4, 3});
  return data::make_structure(numbers, positions.narrow(0, 0, static_cast<int64_t>(numbers.size())));
}

data::Structure crystal() {
  const at::Tensor cell = at::tensor({3.2, 0.0, 0.0, 0.3, 3.0, 0.0, 0.0, 0.2, 3.1}, at::kDouble).view({3, 3});
  const at::Tensor positions = at::tensor({0.1, 0.2, 0.3, 1.5, 1.4, 1.6, 0.2, 1.7, 0.9}, at::kDouble).view({3, 3});
  return data::make_structure({8, 1, 1}, positions, cell, {true, true, true});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(InferenceModel, LocatesModelAndRunDirectories) {
  const fs::path run = write_run("inference_locate");
  const auto as_run = inference::locate_model(run);
  EXPECT_EQ(as_run.model_dir, run / "model");
  ASSERT_TRUE(as_run.run_dir.has_value());
  EXPECT_EQ(*as_run.run_dir, run);
  const auto as_model = inference::locate_model(run / "model");
  EXPECT_EQ(as_model.model_dir, run / "model");
  EXPECT_FALSE(as_model.run_dir.has_value());
  EXPECT_EQ(inference::locate_model(run / "missing").model_dir, run / "missing");
  fs::remove_all(run);
}

TEST(InferenceModel, LoadsARunDirectoryPlainOrInsideEcse) {
  const fs::path run = write_run("inference_load");
  const auto plain = inference::load_inference_model(run, {});
  EXPECT_EQ(plain.model->kind(), "pet");
  EXPECT_EQ(plain.source, "eqt-model");
  EXPECT_EQ(plain.species, kSpec.species);
  EXPECT_FALSE(plain.model->is_training());
  for (const auto& p : plain.model->parameters()) EXPECT_FALSE(p.requires_grad());
  EXPECT_NE(inference::describe_model(plain).find("pet (eqt-model, cutoff 3 A) from "), std::string::npos)
      << inference::describe_model(plain);

  inference::InferenceModelOptions ecse;
  ecse.ecse = true;
  ecse.ecse_fallback = run.string();  // a run directory serves as the fallback too
  const auto wrapped = inference::load_inference_model(run, ecse);
  EXPECT_EQ(wrapped.model->kind(), "ecse(pet)");
  EXPECT_EQ(wrapped.species, kSpec.species);

  ecse.ecse_pruning = "sometimes";
  EXPECT_NE(error_of([&] { inference::load_inference_model(run, ecse); }).find("'sometimes'"), std::string::npos);
  EXPECT_NE(error_of([&] { inference::load_inference_model(run / "nothing", {}); }).find("nothing"), std::string::npos);
  fs::remove_all(run);
}

TEST(PredictBatch, OneWordingForUnknownSpecies) {
  const std::vector<int64_t> species = {1, 6, 8};
  EXPECT_EQ(inference::unknown_species(6, species), "");
  EXPECT_EQ(inference::unknown_species(26, {}), "");
  EXPECT_EQ(inference::unknown_species(26, species), "Fe, which the model was not trained on (its species: H C O)");
  EXPECT_EQ(error_of([&] { inference::check_species(molecule({1, 26, 8}), species, "in.xyz: frame 3"); }),
            "in.xyz: frame 3: atom 1 is Fe, which the model was not trained on (its species: H C O)");
  EXPECT_EQ(error_of([&] { inference::check_species(molecule({1, 26, 8}), {}, "x"); }), "");
}

TEST(PredictBatch, StressPolicy) {
  using inference::StressMode;
  EXPECT_FALSE(inference::wants_stress(molecule({1, 8}), StressMode::Auto, "m"));
  EXPECT_FALSE(inference::wants_stress(molecule({1, 8}), StressMode::Never, "m"));
  EXPECT_NE(error_of([&] { inference::wants_stress(molecule({1, 8}), StressMode::Always, "m"); }).find("m: --stress always"),
            std::string::npos);
  EXPECT_TRUE(inference::wants_stress(crystal(), StressMode::Auto, "c"));
  EXPECT_TRUE(inference::wants_stress(crystal(), StressMode::Always, "c"));
  EXPECT_FALSE(inference::wants_stress(crystal(), StressMode::Never, "c"));
  EXPECT_EQ(inference::parse_stress_mode("always"), StressMode::Always);
  EXPECT_NE(error_of([] { inference::parse_stress_mode("sometimes"); }).find("sometimes"), std::string::npos);
}

TEST(PredictBatch, OneStructureEqualsItsRowOfABatch) {
  const auto loaded = inference::in_memory_model(random_pet(kSpec), kSpec.species);
  const std::vector<data::Structure> batch = {molecule({1, 6, 8, 1}), crystal()};
  inference::PredictionSettings settings;
  settings.species = loaded.species;
  const auto rows = inference::predict_structures(*loaded.model, batch, {"a", "b"}, settings);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].stress.defined());  // auto: the molecule has no cell
  ASSERT_TRUE(rows[1].stress.defined());
  for (std::size_t k = 0; k < batch.size(); ++k) {
    const auto one = inference::predict_structure(*loaded.model, batch[k], "one", settings);
    EXPECT_NEAR(one.energy, rows[k].energy, 1e-10);
    EXPECT_LT(max_abs_diff(one.forces, rows[k].forces), 1e-10);
    EXPECT_EQ(one.forces.size(0), batch[k].num_atoms());
    if (k == 1) EXPECT_LT(max_abs_diff(one.stress, rows[k].stress), 1e-10);
  }
  settings.species = {1, 8};
  EXPECT_NE(error_of([&] { inference::predict_structure(*loaded.model, batch[0], "one", settings); })
                .find("one: atom 1 is C, which the model was not trained on"),
            std::string::npos);
}

}  // namespace
}  // namespace eqt::testing
