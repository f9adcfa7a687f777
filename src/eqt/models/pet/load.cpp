#include "eqt/models/pet/load.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <regex>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"

namespace eqt::models::pet {
namespace fs = std::filesystem;

namespace {

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  if (!in) fail("PET: cannot open {}", path.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail("PET: {} is not valid JSON: {}", path.string(), e.what());
  }
}

std::vector<int64_t> species_list(const nlohmann::json& value, const std::string& origin) {
  if (!value.is_array()) fail("PET: {}: all_species must be a list of atomic numbers", origin);
  std::vector<int64_t> species;
  for (const auto& z : value) {
    if (!z.is_number_integer()) fail("PET: {}: all_species must hold integers, got {}", origin, z.dump());
    species.push_back(z.get<int64_t>());
  }
  return species;
}

nlohmann::json yaml_scalar(const std::string& text) {
  static const std::regex integer(R"(^[-+]?[0-9]+$)");
  static const std::regex real(R"(^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$)");
  if (text == "None" || text == "null" || text == "Null" || text == "~") return nullptr;
  if (text == "True" || text == "true" || text == "TRUE") return true;
  if (text == "False" || text == "false" || text == "FALSE") return false;
  if (std::regex_match(text, integer)) return std::stoll(text);
  if (std::regex_match(text, real)) return std::stod(text);
  return text;
}

}  // namespace

nlohmann::json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& item : node) object[item.first.as<std::string>()] = yaml_to_json(item.second);
      return object;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(yaml_to_json(item));
      return array;
    }
    case YAML::NodeType::Scalar:
      // Quoted scalars ("1") stay strings, as in YAML.
      return node.Tag() == "!" ? nlohmann::json(node.Scalar()) : yaml_scalar(node.Scalar());
    default:
      return nullptr;
  }
}

LoadedPet load_pet_reference(const fs::path& dir, c10::ScalarType dtype) {
  const fs::path config_path = dir / "config.json";
  const nlohmann::json config = read_json(config_path);
  if (!config.contains("architectural_hypers") || !config.contains("all_species")) {
    fail("PET: {} needs 'architectural_hypers' and 'all_species'", config_path.string());
  }
  PetHypers hypers;
  try {
    hypers = parse_pet_hypers(config.at("architectural_hypers"));
  } catch (const Error& e) {
    fail("{}: {}", config_path.string(), e.what());
  }
  auto model = std::make_shared<PetModel>(hypers, species_list(config.at("all_species"), config_path.string()), dtype);
  const fs::path weights_path = dir / "weights.safetensors";
  try {
    StateDictReport report = load_official_state_dict(*model, io::read_safetensors(weights_path).tensors);
    return {model, std::move(report)};
  } catch (const Error& e) {
    fail("{}: {}", weights_path.string(), e.what());
  }
}

PetConfig pet_config_from_yaml(const YAML::Node& pet_section, const std::string& origin) {
  const nlohmann::json section = yaml_to_json(pet_section);
  if (!section.is_object()) fail("PET: {}: the pet section must be a mapping", origin);
  for (const auto& [key, unused] : section.items()) {
    if (key != "all_species" && key != "ARCHITECTURAL_HYPERS") {
      fail("PET: {}: unknown key '{}' in the pet section (all_species, ARCHITECTURAL_HYPERS)", origin, key);
    }
  }
  if (!section.contains("all_species")) fail("PET: {}: pet.all_species is missing", origin);
  PetConfig config;
  config.all_species = species_list(section.at("all_species"), origin);
  try {
    config.hypers = parse_pet_hypers(section.value("ARCHITECTURAL_HYPERS", nlohmann::json::object()));
  } catch (const Error& e) {
    fail("{}: {}", origin, e.what());
  }
  return config;
}

PetConfig load_pet_preset(const fs::path& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    fail("PET: cannot read {}: {}", path.string(), e.what());
  }
  if (!root["model"] || root["model"].as<std::string>() != "pet") fail("PET: {}: expected 'model: pet'", path.string());
  if (!root["pet"]) fail("PET: {}: the 'pet' section is missing", path.string());
  return pet_config_from_yaml(root["pet"], path.string());
}

}  // namespace eqt::models::pet
