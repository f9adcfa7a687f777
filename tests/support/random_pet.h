#pragma once
// A small PET with random weights for any species, and its model directory in the official export
// layout (config.json + weights.safetensors, what `eqt predict --model` and pair_style eqt load).
// Lets tests cover elements no reference model was trained on (e.g. the HEA metals).
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "eqt/io/safetensors.h"
#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/pet_model.h"

namespace eqt::testing {

struct RandomPetSpec {
  std::vector<int64_t> species;
  double r_cut = 3.0;
  int64_t gnn_layers = 2;
  uint64_t seed = 7;
  double perturbation = 0.05;  // added to every parameter (x standard normal), so nothing is trivially zero
};

inline nlohmann::json random_pet_hypers(const RandomPetSpec& spec) {
  return {{"R_CUT", spec.r_cut},          {"CUTOFF_DELTA", 0.4},        {"N_GNN_LAYERS", spec.gnn_layers},
          {"N_TRANS_LAYERS", 1},          {"TRANSFORMER_D_MODEL", 16}, {"TRANSFORMER_N_HEAD", 2},
          {"TRANSFORMER_DIM_FEEDFORWARD", 32}, {"HEAD_N_NEURONS", 16}};
}

inline std::shared_ptr<models::pet::PetModel> random_pet(const RandomPetSpec& spec) {
  at::manual_seed(spec.seed);
  auto model = std::make_shared<models::pet::PetModel>(models::pet::parse_pet_hypers(random_pet_hypers(spec)),
                                                       spec.species, at::kDouble);
  at::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.add_(spec.perturbation * at::randn_like(p));
  model->eval();
  return model;
}

// Writes the model as an official export directory; returns dir.
inline std::filesystem::path write_random_pet(const RandomPetSpec& spec, const std::filesystem::path& dir) {
  const auto model = random_pet(spec);
  std::filesystem::create_directories(dir);
  const nlohmann::json config = {
      {"class", "src.pet.PET"}, {"architectural_hypers", random_pet_hypers(spec)}, {"all_species", spec.species}};
  std::ofstream(dir / "config.json") << config.dump(2);
  io::TensorMap tensors;
  for (const auto& item : model->named_parameters()) tensors[item.key()] = item.value().detach();
  io::write_safetensors(dir / "weights.safetensors", tensors);
  return dir;
}

}  // namespace eqt::testing
