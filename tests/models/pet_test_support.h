#pragma once
// Test-only helpers for PET: reference structures, and energy / forces / stress by autograd.
// pet_forces_for_tests / pet_stress_for_tests take the gradient of PET's forward directly, without
// models::evaluate (potential.h), so that the PET tests check the model alone; evaluate has tests
// of its own (models.Potential*).
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "eqt/data/batch.h"
#include "eqt/data/structure.h"
#include "eqt/models/model.h"
#include "eqt/models/potential.h"
#include "graph_fixtures.h"
#include "support/reference.h"

namespace eqt::testing {

struct NamedStructure {
  std::string name;
  data::Structure structure;
};

inline std::filesystem::path pet_reference_dir(const std::filesystem::path& shared) {
  return shared / "reference" / "pet" / "pet_small";
}

inline std::vector<NamedStructure> pet_reference_structures(const std::filesystem::path& shared) {
  const auto json = load_json(shared / "reference" / "pet" / "structures.json");
  std::vector<NamedStructure> out;
  for (const auto& s : json.at("structures")) {
    out.push_back({s.at("name").get<std::string>(),
                   data::make_structure(s.at("atomic_numbers").get<std::vector<int64_t>>(),
                                        tensor_from_json(s.at("positions")))});
  }
  return out;
}

// The same atoms at other positions (same cell and pbc).
inline data::Structure with_positions(const data::Structure& s, const at::Tensor& positions) {
  const at::Tensor z = s.numbers.to(at::kLong).contiguous();
  const std::vector<int64_t> numbers(z.data_ptr<int64_t>(), z.data_ptr<int64_t>() + z.numel());
  return data::make_structure(numbers, positions.to(at::kDouble).contiguous(), s.cell, s.pbc);
}

struct PetEvaluation {
  at::Tensor energy;  // [B]
  at::Tensor forces;  // [N, 3]
};

inline PetEvaluation pet_forces_for_tests(models::Model& model, data::Graph graph) {
  graph = graph.to(models::model_device(model));  // support/test_device.h: the model may be on a GPU
  graph.positions = graph.positions.detach().requires_grad_(true);
  const at::Tensor energy = model.forward(graph).at("energy");
  const at::Tensor gradient = torch::autograd::grad({energy.sum()}, {graph.positions})[0];
  return {energy.detach(), -gradient};
}

// (1/V) dE/d(strain) with r -> r (I + e), cell -> cell (I + e), e symmetric. [B, 3, 3]
inline at::Tensor pet_stress_for_tests(models::Model& model, data::Graph graph) {
  const at::Tensor strain = at::zeros({graph.num_structures(), 3, 3}, graph.positions.options()).requires_grad_(true);
  const at::Tensor symmetric = 0.5 * (strain + strain.transpose(1, 2));
  const at::Tensor per_atom = symmetric.index_select(0, graph.batch);
  graph.positions = graph.positions + at::bmm(graph.positions.unsqueeze(1), per_atom).squeeze(1);
  graph.cell = graph.cell + at::bmm(graph.cell, symmetric);
  const at::Tensor energy = model.forward(graph).at("energy");
  const at::Tensor gradient = torch::autograd::grad({energy.sum()}, {strain})[0];
  return gradient / at::linalg_det(graph.cell.detach()).abs().view({-1, 1, 1});
}

}  // namespace eqt::testing
