// Parity with the official Equiformer (reference outputs of the unmodified Python code, float64):
// raw and denormalised energies and forces, per structure and batched, and the state-dict names.
#include <gtest/gtest.h>

#include <set>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/equiformer/reference_loader.h"
#include "eqt/models/potential.h"
#include "eqt/models/state_dict.h"
#include "equiformer_fixtures.h"
#include "support/test_device.h"

namespace eqt::testing {
namespace {

using models::equiformer::load_equiformer_reference;

constexpr double kRelativeTolerance = 1e-9;

class EquiformerReference : public ::testing::TestWithParam<const char*> {};

TEST_P(EquiformerReference, StateDictNamesMatchTheFileExactly) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = equiformer_reference_dir(shared) / GetParam();
  const auto model = load_equiformer_reference(dir);
  const auto file = io::read_safetensors(dir / "weights.safetensors").tensors;
  std::set<std::string> model_names, file_names;
  for (const auto& [name, t] : models::state_dict(*model)) model_names.insert(name);
  for (const auto& [name, t] : file) file_names.insert(name);
  EXPECT_EQ(model_names, file_names);
  const auto config = load_json(dir / "config.json");
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  EXPECT_EQ(parameters, config.at("num_parameters").get<int64_t>());
  // Strictness: an extra tensor and a missing one are both refused.
  auto extra = file;
  extra["blocks.0.unexpected"] = at::zeros({1}, at::kDouble);
  EXPECT_THROW(models::load_state_dict(*model, extra), Error);
  auto missing = file;
  missing.erase(missing.begin());
  EXPECT_THROW(models::load_state_dict(*model, missing), Error);
}

TEST_P(EquiformerReference, EnergiesAndForcesPerStructure) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = equiformer_reference_dir(shared) / GetParam();
  const auto model = load_equiformer_reference(dir);
  model->to(test_device());
  const auto structures = reference_structures(shared);
  const auto outputs = load_json(dir / "outputs.json").at("per_structure");
  ASSERT_EQ(outputs.size(), structures.size());
  for (std::size_t k = 0; k < structures.size(); ++k) {
    SCOPED_TRACE(outputs[k].at("name").get<std::string>());
    const auto graph = graph_of(structures[k], model->cutoff());
    EXPECT_EQ(graph.num_edges(), outputs[k].at("num_edges").get<int64_t>());
    const auto raw = models::evaluate(*model, graph, {true, false, false, "energy_raw"});
    const auto physical = models::evaluate(*model, graph, {true, false, false, "energy"});
    const double energy = outputs[k].at("energy").get<double>();
    const double denormalised = outputs[k].at("energy_denormalized").get<double>();
    EXPECT_NEAR(raw.energy.item<double>(), energy, kRelativeTolerance * std::abs(energy));
    EXPECT_NEAR(physical.energy.item<double>(), denormalised, kRelativeTolerance * std::abs(denormalised));
    EXPECT_LT(max_rel_diff(raw.forces, tensor_from_json(outputs[k].at("forces"))), kRelativeTolerance);
    EXPECT_LT(max_rel_diff(physical.forces, tensor_from_json(outputs[k].at("forces_denormalized"))),
              kRelativeTolerance);
  }
}

TEST_P(EquiformerReference, EnergiesAndForcesBatched) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = equiformer_reference_dir(shared) / GetParam();
  const auto model = load_equiformer_reference(dir);
  model->to(test_device());
  const auto structures = reference_structures(shared);
  std::vector<const data::Structure*> all;
  for (const auto& s : structures) all.push_back(&s);
  const auto graph = graph_of(all, model->cutoff());
  const auto batched = load_json(dir / "outputs.json").at("batched_all");
  const auto raw = models::evaluate(*model, graph, {true, false, false, "energy_raw"});
  const at::Tensor expected_energy = tensor_from_json(batched.at("energies")).view({-1});
  EXPECT_LT(max_rel_diff(raw.energy, expected_energy), kRelativeTolerance);
  EXPECT_LT((raw.energy.cpu() - expected_energy).abs().div(expected_energy.abs()).max().item<double>(), kRelativeTolerance);
  EXPECT_LT(max_rel_diff(raw.forces, tensor_from_json(batched.at("forces")).view({-1, 3})), kRelativeTolerance);
}

INSTANTIATE_TEST_SUITE_P(Configs, EquiformerReference, ::testing::ValuesIn(kEquiformerReferenceConfigs));

}  // namespace
}  // namespace eqt::testing
