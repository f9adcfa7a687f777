#pragma once
// Shared helpers of the model tests: the reference structures, graphs built with eqt's own
// neighbour list, small self-built Equiformer configurations and a periodic test crystal.
#include <ATen/ATen.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "eqt/data/batch.h"
#include "eqt/data/structure.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "graph_fixtures.h"
#include "support/reference.h"

namespace eqt::testing {

inline const char* const kEquiformerReferenceConfigs[] = {"small_gat_nonlinear_exp", "small_dp_exp",
                                                           "small_gat_linear_gaussian"};

inline std::filesystem::path equiformer_reference_dir(const std::filesystem::path& shared) {
  return shared / "reference" / "equiformer";
}

inline std::vector<data::Structure> reference_structures(const std::filesystem::path& shared) {
  const auto json = load_json(equiformer_reference_dir(shared) / "structures.json");
  std::vector<data::Structure> structures;
  for (const auto& s : json.at("structures")) {
    structures.push_back(data::make_structure(s.at("atomic_numbers").get<std::vector<int64_t>>(),
                                              tensor_from_json(s.at("positions"))));
  }
  return structures;
}

// A small model of the reference shape (2 blocks, 32x0e+16x1e+8x2e); tests vary one option at a time.
inline models::equiformer::EquiformerConfig small_config() {
  models::equiformer::EquiformerConfig c;
  c.irreps_node_embedding = "16x0e+8x1e+4x2e";
  c.num_layers = 2;
  c.irreps_sh = "1x0e+1x1e+1x2e";
  c.max_radius = 4.0;
  c.number_of_basis = 8;
  c.basis_type = "exp";
  c.fc_neurons = {8, 8};
  c.irreps_feature = "16x0e";
  c.irreps_head = "4x0e+2x1e+1x2e";
  c.num_heads = 2;
  c.nonlinear_message = true;
  c.irreps_mlp_mid = "16x0e+8x1e+4x2e";
  c.alpha_drop = 0.0;
  c.mean = -1.0;
  c.std = 2.0;
  return c;
}

// A distorted fcc crystal (conventional cell, 4 atoms of two species), periodic in 3D.
inline data::Structure distorted_fcc() {
  const double a = 3.6;
  at::Tensor cell = at::tensor({a, 0.1, 0.0, 0.05, a * 1.03, -0.08, 0.02, 0.1, a * 0.97}, at::kDouble).view({3, 3});
  at::Tensor fractional =
      at::tensor({0.0, 0.0, 0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.5, 0.0, 0.5, 0.5}, at::kDouble).view({4, 3});
  at::Tensor noise = at::tensor({0.02, -0.03, 0.01, -0.04, 0.02, 0.03, 0.01, 0.05, -0.02, 0.03, -0.01, -0.04},
                                at::kDouble).view({4, 3});
  return data::make_structure({29, 29, 13, 29}, at::mm(fractional, cell) + noise, cell, {true, true, true});
}

}  // namespace eqt::testing
