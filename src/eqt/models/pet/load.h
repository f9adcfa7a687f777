#pragma once
// Building PET models from files: the golden reference directory written from the official code
// (config.json + weights.safetensors), and eqt YAML presets
//   model: pet
//   pet:
//     all_species: [1, 6, 8]
//     ARCHITECTURAL_HYPERS: {R_CUT: 5.0, ...}   # official keys, missing ones take the defaults
#include <c10/core/ScalarType.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <vector>

#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/pet_model.h"
#include "eqt/models/pet/state_dict.h"

namespace YAML {
class Node;
}

namespace eqt::models::pet {

struct PetConfig {
  PetHypers hypers;
  std::vector<int64_t> all_species;  // atomic numbers; their order defines the species indices
};

struct LoadedPet {
  std::shared_ptr<PetModel> model;
  StateDictReport report;
};

// dir/config.json ("architectural_hypers", "all_species") and dir/weights.safetensors (official
// state dict). Throws eqt::Error naming the file for anything missing or inconsistent.
LoadedPet load_pet_reference(const std::filesystem::path& dir, c10::ScalarType dtype = c10::kDouble);

// The "pet" section of a preset (all_species, ARCHITECTURAL_HYPERS); `origin` names it in errors.
PetConfig pet_config_from_yaml(const YAML::Node& pet_section, const std::string& origin);
// A preset file: top-level `model: pet` and a `pet` section.
PetConfig load_pet_preset(const std::filesystem::path& path);

// YAML scalars as the official code's yaml.safe_load would type them (booleans True/False,
// integers, floats, None/null -> null); mappings and sequences recursively.
nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace eqt::models::pet
