// ECSE around the PET reference model against the official spozdn/pet PETSP outputs
// (shared/reference/pet/pet_small/outputs.json, "ecse" of every structure with <= 6 atoms):
// energies, forces, numbers of frames, total frame weight and aux weight.
#include <gtest/gtest.h>

#include <iostream>

#include "eqt/core/error.h"
#include "models/ecse_test_support.h"

namespace eqt::testing {
namespace {

constexpr double kParityTolerance = 1e-9;

struct EcseCase {
  std::string name;
  const data::Structure* structure;
  nlohmann::json expected;
};

std::vector<EcseCase> ecse_cases(const std::vector<NamedStructure>& structures, const nlohmann::json& outputs) {
  std::vector<EcseCase> cases;
  for (std::size_t k = 0; k < structures.size(); ++k) {
    EXPECT_EQ(outputs.at(k).at("name"), structures[k].name);
    if (outputs.at(k).contains("ecse")) cases.push_back({structures[k].name, &structures[k].structure, outputs.at(k).at("ecse")});
  }
  return cases;
}

double rel(double value, double expected) { return std::abs(value - expected) / std::abs(expected); }

TEST(EcseReference, EachStructureMatchesOfficial) {
  EQT_REQUIRE_SHARED(shared);
  auto model = ecse_pet(shared);
  const auto structures = pet_reference_structures(shared);
  const auto cases = ecse_cases(structures, pet_reference_outputs(shared).at("per_structure"));
  ASSERT_GE(cases.size(), 4u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto result = ecse_evaluate(*model, graph_of({c.structure}, model->cutoff()));
    const auto& d = model->last_diagnostics();
    const double energy_error = rel(result.energy[0].item<double>(), c.expected.at("energy").get<double>());
    const double force_error = max_rel_diff(result.forces, tensor_from_json(c.expected.at("forces")));
    EXPECT_LT(energy_error, kParityTolerance);
    EXPECT_LT(force_error, kParityTolerance);
    EXPECT_EQ(d.frames_per_structure[0].item<int64_t>(), c.expected.at("n_frames").get<int64_t>());
    EXPECT_LT(rel(d.total_weight[0].item<double>(), c.expected.at("total_main_weight").get<double>()), kParityTolerance);
    EXPECT_NEAR(d.weight_aux[0].item<double>(), c.expected.at("weight_aux").get<double>(), 1e-12);
    EXPECT_EQ(d.frames_per_atom.sum().item<int64_t>(), d.frames_per_structure[0].item<int64_t>());
    std::cout << c.name << ": " << d.frames_per_structure[0].item<int64_t>() << " frames, energy rel "
              << energy_error << ", forces rel " << force_error << "\n";
  }
}

TEST(EcseReference, BatchedAndChunkedMatchOfficial) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = pet_reference_structures(shared);
  const auto cases = ecse_cases(structures, pet_reference_outputs(shared).at("per_structure"));
  std::vector<const data::Structure*> all;
  std::vector<double> energies;
  std::vector<at::Tensor> forces;
  for (const auto& c : cases) {
    all.push_back(c.structure);
    energies.push_back(c.expected.at("energy").get<double>());
    forces.push_back(tensor_from_json(c.expected.at("forces")));
  }
  for (int64_t chunk : {0, 7}) {  // one backbone call for everything, and chunks of 7 frames
    SCOPED_TRACE(chunk);
    auto model = ecse_pet(shared, chunk);
    const auto result = ecse_evaluate(*model, graph_of(all, model->cutoff()));
    EXPECT_LT(max_rel_diff(result.energy, at::tensor(energies, at::kDouble)), kParityTolerance);
    EXPECT_LT(max_rel_diff(result.forces, at::cat(forces, 0)), kParityTolerance);
  }
}

TEST(EcseReference, RotatedMethaneMatchesOfficial) {
  EQT_REQUIRE_SHARED(shared);
  auto model = ecse_pet(shared);
  const auto structures = pet_reference_structures(shared);
  const auto rotated = pet_reference_outputs(shared).at("rotated_methane_0");
  const at::Tensor rotation = tensor_from_json(rotated.at("rotation_matrix"));
  const data::Structure& methane = structures[0].structure;
  const auto turned = with_positions(methane, at::matmul(methane.positions, rotation.t()));
  const auto result = ecse_evaluate(*model, graph_of({&turned}, model->cutoff()));
  EXPECT_LT(rel(result.energy[0].item<double>(), rotated.at("ecse_energy").get<double>()), kParityTolerance);
  EXPECT_LT(max_rel_diff(result.forces, tensor_from_json(rotated.at("ecse_forces"))), kParityTolerance);
}

TEST(EcseReference, HypersFromOfficialKeys) {
  EQT_REQUIRE_SHARED(shared);
  const auto json = pet_reference_outputs(shared).at("sp_hypers");
  const auto h = models::ecse::ecse_hypers_from_json(json);
  EXPECT_EQ(h.beta, json.at("BETA").get<double>());
  EXPECT_EQ(h.num_prunings, json.at("NUM_PRUNNINGS").get<int64_t>());
  EXPECT_EQ(h.w, json.at("W").get<double>());
  nlohmann::json bad = json;
  bad["SPECIES_PRUNNING"] = true;
  EXPECT_THROW(models::ecse::ecse_hypers_from_json(bad), Error);
}

}  // namespace
}  // namespace eqt::testing
