// eqt's own model directories for PET and ECSE-wrapped models: save -> load reproduces outputs
// exactly, and the energy normalisation (std, mean, reference energies) acts as documented.
#include <gtest/gtest.h>

#include "ecse_test_support.h"
#include "eqt/core/error.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/pet/load.h"
#include "model_dir_fixtures.h"
#include "pet_test_support.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

std::vector<data::Structure> pet_structures(const fs::path& shared) {
  std::vector<data::Structure> out;
  for (auto& named : pet_reference_structures(shared)) out.push_back(named.structure);
  return out;
}

void expect_identical(models::Model& a, models::Model& b, const std::vector<data::Structure>& structures) {
  const auto x = evaluate_all(a, structures);
  const auto y = evaluate_all(b, structures);
  EXPECT_TRUE(at::equal(x.energy, y.energy));
  EXPECT_TRUE(at::equal(x.forces, y.forces));
}

TEST(ModelDirPet, SaveThenLoadGivesIdenticalOutputsAndRecordsTheKind) {
  EQT_REQUIRE_SHARED(shared);
  const auto out = temp_dir("model_dir_pet");
  auto original = models::pet::load_pet_reference(pet_reference_dir(shared)).model;
  models::save_model(*original, out / "model");
  EXPECT_EQ(load_json(out / "model" / "model.json").at("kind"), "pet");
  const auto loaded = models::load_model(out / "model", at::kDouble);
  EXPECT_EQ(loaded->kind(), "pet");
  expect_identical(*original, *loaded, pet_structures(shared));
  fs::remove_all(out);
}

TEST(ModelDirPet, NormalisationScalesShiftsAndAddsReferenceEnergies) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = pet_structures(shared);
  auto plain = models::pet::load_pet_reference(pet_reference_dir(shared)).model;
  const auto before = evaluate_all(*plain, structures);
  auto scaled = models::pet::load_pet_reference(pet_reference_dir(shared)).model;
  models::EnergyNormalisation normalisation;
  normalisation.std = 2.5;
  normalisation.mean = -3.0;
  normalisation.reference_energies = {0.0, -13.6, 0.0, 0.0, 0.0, 0.0, -1000.25};  // H, C
  scaled->set_normalisation(normalisation);
  const auto out = temp_dir("model_dir_pet_normalised");
  models::save_model(*scaled, out / "model");
  const auto loaded = models::load_model(out / "model", at::kDouble);
  const auto after = evaluate_all(*loaded, structures);
  // Expected from the unnormalised energies and a count of atoms, independently of the model.
  for (std::size_t k = 0; k < structures.size(); ++k) {
    const at::Tensor z = structures[k].numbers.to(at::kLong);
    const double hydrogens = z.eq(1).sum().item<double>(), carbons = z.eq(6).sum().item<double>();
    const double expected = 2.5 * before.energy[k].item<double>() - 3.0 - 13.6 * hydrogens - 1000.25 * carbons;
    EXPECT_NEAR(after.energy[k].item<double>(), expected, 1e-10 * std::abs(expected)) << structures[k].numbers;
  }
  EXPECT_TRUE(at::allclose(after.forces, 2.5 * before.forces, 1e-12, 1e-12));
  const auto json = load_json(out / "model" / "model.json").at("normalisation");
  EXPECT_EQ(json.at("std").get<double>(), 2.5);
  EXPECT_EQ(json.at("reference_energies").at("C").get<double>(), -1000.25);
  fs::remove_all(out);
}

TEST(ModelDirPet, AtomicEnergiesSumToTheEnergyWithoutTheMean) {
  EQT_REQUIRE_SHARED(shared);
  auto model = models::pet::load_pet_reference(pet_reference_dir(shared)).model;
  models::EnergyNormalisation normalisation;
  normalisation.mean = 7.0;
  model->set_normalisation(normalisation);
  const auto structures = pet_structures(shared);
  const data::Graph graph = graph_of({&structures[0]}, model->cutoff());
  const auto out = model->forward(graph);
  EXPECT_NEAR(out.at("energy").item<double>() - out.at("atomic_energies").sum().item<double>(), 7.0, 1e-9);
}

TEST(ModelDirEcse, SaveThenLoadKeepsHypersBackboneAndFallback) {
  EQT_REQUIRE_SHARED(shared);
  auto reference = ecse_pet(shared, 16);
  auto fallback = models::pet::load_pet_reference(pet_reference_dir(shared)).model;
  auto wrapped = std::make_shared<models::ecse::EcseModel>(models::pet::load_pet_reference(pet_reference_dir(shared)).model,
                                                           fallback, reference->options());
  const auto out = temp_dir("model_dir_ecse");
  models::save_model(*wrapped, out / "model");
  const auto json = load_json(out / "model" / "model.json");
  EXPECT_EQ(json.at("kind"), "ecse(pet)");
  EXPECT_EQ(json.at("architecture").at("max_frames_per_call"), 16);
  EXPECT_EQ(json.at("architecture").at("fallback").at("kind"), "pet");
  const auto loaded = models::load_model(out / "model", at::kDouble);
  auto* ecse = dynamic_cast<models::ecse::EcseModel*>(loaded.get());
  ASSERT_NE(ecse, nullptr);
  EXPECT_NE(ecse->fallback(), nullptr);
  EXPECT_EQ(ecse->options().hypers.w, reference->options().hypers.w);
  EXPECT_EQ(ecse->options().hypers.num_prunings, reference->options().hypers.num_prunings);
  expect_identical(*wrapped, *loaded, pet_structures(shared));
  fs::remove_all(out);
}

TEST(ModelDirEcse, UnknownBackboneKindIsAClearError) {
  EQT_REQUIRE_SHARED(shared);
  const auto out = temp_dir("model_dir_ecse_bad");
  models::save_model(*ecse_pet(shared), out / "model");
  auto json = load_json(out / "model" / "model.json");
  json["architecture"]["backbone"]["kind"] = "schnet";
  write_text(out / "model" / "model.json", json.dump());
  try {
    models::load_model(out / "model");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("schnet"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("model.json"), std::string::npos) << e.what();
  }
  fs::remove_all(out);
}

}  // namespace
}  // namespace eqt::testing
