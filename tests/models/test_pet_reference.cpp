// PET against the official spozdn/pet outputs (shared/reference/pet): energies and forces of every
// structure alone and all batched, neighbour lists, and loading of the official state dict.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <set>

#include "eqt/io/safetensors.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/pet/token_layout.h"
#include "models/pet_test_support.h"
#include "support/test_device.h"

namespace eqt::testing {
namespace {

using models::pet::load_pet_reference;

constexpr double kParityTolerance = 1e-9;

nlohmann::json reference_outputs(const std::filesystem::path& shared) {
  return load_json(pet_reference_dir(shared) / "outputs.json");
}

TEST(PetReference, EachStructureMatchesOfficialEnergyAndForces) {
  EQT_REQUIRE_SHARED(shared);
  auto model = load_pet_reference(pet_reference_dir(shared)).model;
  model->to(test_device());
  const auto structures = pet_reference_structures(shared);
  const auto outputs = reference_outputs(shared).at("per_structure");
  ASSERT_EQ(outputs.size(), structures.size());
  for (std::size_t k = 0; k < structures.size(); ++k) {
    SCOPED_TRACE(structures[k].name);
    ASSERT_EQ(outputs[k].at("name"), structures[k].name);
    const auto result = pet_forces_for_tests(*model, graph_of({&structures[k].structure}, model->cutoff()));
    const double expected = outputs[k].at("energy").get<double>();
    EXPECT_LT(std::abs(result.energy[0].item<double>() - expected), kParityTolerance * std::abs(expected));
    EXPECT_LT(max_rel_diff(result.forces, tensor_from_json(outputs[k].at("forces"))), kParityTolerance);
  }
}

TEST(PetReference, BatchOfAllStructuresMatchesOfficial) {
  EQT_REQUIRE_SHARED(shared);
  auto model = load_pet_reference(pet_reference_dir(shared)).model;
  model->to(test_device());
  const auto structures = pet_reference_structures(shared);
  const auto outputs = reference_outputs(shared).at("per_structure");
  std::vector<const data::Structure*> all;
  std::vector<double> energies;
  std::vector<at::Tensor> forces;
  for (std::size_t k = 0; k < structures.size(); ++k) {
    all.push_back(&structures[k].structure);
    energies.push_back(outputs[k].at("energy").get<double>());
    forces.push_back(tensor_from_json(outputs[k].at("forces")));
  }
  const auto result = pet_forces_for_tests(*model, graph_of(all, model->cutoff()));
  const double energy_error = max_rel_diff(result.energy, at::tensor(energies, at::kDouble));
  const double force_error = max_rel_diff(result.forces, at::cat(forces, 0));
  EXPECT_LT(energy_error, kParityTolerance);
  EXPECT_LT(force_error, kParityTolerance);
  std::cout << "PET batch vs official: energy rel " << energy_error << ", forces rel " << force_error << "\n";
}

TEST(PetReference, RotatedMethaneMatchesOfficialAndDiffersFromUnrotated) {
  EQT_REQUIRE_SHARED(shared);
  auto model = load_pet_reference(pet_reference_dir(shared)).model;
  model->to(test_device());
  const auto structures = pet_reference_structures(shared);
  const auto rotated = reference_outputs(shared).at("rotated_methane_0");
  const at::Tensor rotation = tensor_from_json(rotated.at("rotation_matrix"));
  const data::Structure& methane = structures[0].structure;
  const auto turned = with_positions(methane, at::matmul(methane.positions, rotation.t()));
  const auto result = pet_forces_for_tests(*model, graph_of({&turned}, model->cutoff()));
  const double expected = rotated.at("energy").get<double>();
  EXPECT_LT(std::abs(result.energy[0].item<double>() - expected), kParityTolerance * std::abs(expected));
  EXPECT_LT(max_rel_diff(result.forces, tensor_from_json(rotated.at("forces"))), kParityTolerance);
  const auto plain = pet_forces_for_tests(*model, graph_of({&methane}, model->cutoff()));
  EXPECT_GT(std::abs(plain.energy[0].item<double>() - result.energy[0].item<double>()), 1e-4);
}

TEST(PetReference, NeighbourListsMatchOfficial) {
  EQT_REQUIRE_SHARED(shared);
  const auto structures = pet_reference_structures(shared);
  const auto outputs = reference_outputs(shared).at("per_structure");
  const double cutoff = load_json(pet_reference_dir(shared) / "config.json").at("architectural_hypers").at("R_CUT");
  for (std::size_t k = 0; k < structures.size(); ++k) {
    SCOPED_TRACE(structures[k].name);
    const data::Graph graph = graph_of({&structures[k].structure}, cutoff);
    const auto layout = models::pet::build_token_layout(graph.edge_index, graph.cell_shifts, graph.num_atoms());
    EXPECT_EQ(layout.max_neighbours, outputs[k].at("max_num_neighbors").get<int64_t>());
    const auto& lists = outputs[k].at("neighbor_lists");
    const auto nums = lists.at("nums").get<std::vector<double>>();
    for (int64_t i = 0; i < graph.num_atoms(); ++i) {
      std::multiset<int64_t> ours, theirs;
      for (int64_t e = 0; e < graph.num_edges(); ++e) {
        if (graph.edge_index[0][e].item<int64_t>() == i) ours.insert(graph.edge_index[1][e].item<int64_t>());
      }
      const auto row = lists.at("neighbors_index")[i].get<std::vector<int64_t>>();
      theirs.insert(row.begin(), row.begin() + static_cast<int64_t>(nums[i]));
      EXPECT_EQ(ours, theirs) << "atom " << i;
    }
  }
}

TEST(PetReference, EveryOfficialTensorIsLoadedOnceOrIsAnAliasOrTheTemplate) {
  EQT_REQUIRE_SHARED(shared);
  const auto loaded = load_pet_reference(pet_reference_dir(shared));
  const auto file = io::read_safetensors(pet_reference_dir(shared) / "weights.safetensors").tensors;
  const auto& report = loaded.report;
  std::multiset<std::string> seen;
  seen.insert(report.loaded.begin(), report.loaded.end());
  seen.insert(report.aliases.begin(), report.aliases.end());
  seen.insert(report.templates.begin(), report.templates.end());
  for (const auto& [name, unused] : file) EXPECT_EQ(seen.count(name), 1u) << name;
  EXPECT_EQ(seen.size(), file.size());
  EXPECT_EQ(report.loaded.size(), loaded.model->parameters().size());
  for (const auto& name : report.aliases) {
    EXPECT_TRUE(name.find("predictors.") != std::string::npos) << name;
  }
  for (const auto& name : report.templates) EXPECT_TRUE(name.find(".trans_layer.") != std::string::npos) << name;
  EXPECT_FALSE(report.aliases.empty());
  EXPECT_FALSE(report.templates.empty());
  // The official parameter count (shared heads counted once) = ours + the unused template.
  int64_t ours = 0, templates = 0;
  for (const auto& p : loaded.model->parameters()) ours += p.numel();
  for (const auto& name : report.templates) templates += file.at(name).numel();
  const auto config = load_json(pet_reference_dir(shared) / "config.json");
  EXPECT_EQ(ours + templates, config.at("num_parameters").get<int64_t>());
  // Loaded values are the file's, bit for bit.
  for (const auto& item : loaded.model->named_parameters()) EXPECT_TRUE(at::equal(item.value(), file.at(item.key())));
}

}  // namespace
}  // namespace eqt::testing
