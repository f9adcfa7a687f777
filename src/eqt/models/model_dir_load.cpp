// Loading half of model_dir.h: recognise the layout, dispatch to the registry, wrap errors.
#include <c10/util/Exception.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/io/file_digest.h"
#include "eqt/io/json_file.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/model_registry.h"
#include "eqt/models/state_dict.h"

namespace eqt::models {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

const json& member(const json& object, const char* key, const fs::path& path) {
  if (!object.contains(key)) fail("{}: missing key '{}'", path.string(), key);
  return object.at(key);
}

std::vector<int64_t> species_from_json(const json& list, const fs::path& path) {
  std::vector<int64_t> species;
  if (list.is_null()) return species;
  if (!list.is_array()) fail("{}: 'species' must be a list of chemical symbols", path.string());
  for (const auto& item : list) {
    const auto z = item.is_string() ? data::atomic_number(item.get<std::string>()) : std::nullopt;
    if (!z) fail("{}: 'species': {} is not a chemical symbol", path.string(), item.dump());
    species.push_back(*z);
  }
  return species;
}

void check_top_level_keys(const json& config, const fs::path& path) {
  static const std::set<std::string> known = {"format",  "format_version", "eqt_version",  "kind",
                                              "cutoff",  "species",        "units",        "architecture",
                                              "normalisation", "metadata",      "weights"};
  for (const auto& item : config.items()) {
    if (!known.count(item.key())) fail("{}: unknown key '{}'", path.string(), item.key());
  }
}

// Compares the weights file with the size and CRC-32 that model.json recorded when it was saved.
void verify_weights(const std::string& bytes, const json& record, const fs::path& weights, const fs::path& config) {
  if (!record.is_object() || !record.contains("bytes") || !record.at("bytes").is_number_unsigned() ||
      !record.contains("crc32") || !record.at("crc32").is_string()) {
    fail("{}: 'weights' must be {{\"file\", \"bytes\": integer, \"crc32\": \"0x...\"}}", config.string());
  }
  const io::FileDigest actual = io::digest_of(bytes);
  const auto expected_bytes = record.at("bytes").get<uint64_t>();
  if (actual.bytes != expected_bytes) {
    fail("{}: the file has {} bytes but {} recorded {} when the model was saved: it is truncated or damaged "
         "(copy the model directory again)",
         weights.string(), actual.bytes, config.filename().string(), expected_bytes);
  }
  const uint32_t expected_crc = io::parse_crc32_text(record.at("crc32").get<std::string>(), config.string() + ": 'weights'");
  if (actual.crc32 != expected_crc) {
    fail("{}: checksum mismatch (crc32 {} but {} recorded {}): the file is corrupt (copy the model directory again)",
         weights.string(), io::crc32_text(actual.crc32), config.filename().string(), io::crc32_text(expected_crc));
  }
}

void load_weights(Model& model, const fs::path& path, const json& record, const fs::path& config) {
  const std::string bytes = io::read_file_bytes(path);
  if (!record.is_null()) verify_weights(bytes, record, path, config);
  const io::TensorMap tensors = io::parse_safetensors(bytes, path.string()).tensors;
  try {
    load_state_dict(model, tensors);
  } catch (const Error& e) {
    fail("{}: {}", path.string(), e.what());
  }
}

LoadedModel load_eqt_format(const fs::path& dir, c10::ScalarType dtype) {
  const fs::path path = dir / "model.json";
  const json config = io::read_json_file(path);
  if (!config.is_object()) fail("{}: expected a JSON object", path.string());
  const json& format = member(config, "format", path);
  if (format != json(kModelFormatName)) fail("{}: 'format' is {}, not \"{}\"", path.string(), format.dump(), kModelFormatName);
  const json& version = member(config, "format_version", path);
  if (!version.is_number_integer()) fail("{}: 'format_version' must be an integer", path.string());
  if (version.get<int>() > kModelFormatVersion) {
    fail("{}: format version {} was written by a newer eqt (this one reads up to {})", path.string(),
         version.get<int>(), kModelFormatVersion);
  }
  check_top_level_keys(config, path);
  const json& kind = member(config, "kind", path);
  if (!kind.is_string()) fail("{}: 'kind' must be a string", path.string());
  const ArchitectureFormat* architecture = find_kind(kind.get<std::string>());
  if (!architecture) fail("{}: unknown model kind '{}' (known: {})", path.string(), kind.get<std::string>(), join(kinds()));

  LoadedModel loaded{nullptr, kModelFormatName, species_from_json(config.value("species", json(nullptr)), path)};
  try {
    loaded.model = architecture->build({member(config, "architecture", path), member(config, "normalisation", path)}, dtype);
  } catch (const Error& e) {
    fail("{}: {}", path.string(), e.what());
  }
  const json& cutoff = member(config, "cutoff", path);
  if (!cutoff.is_number() || cutoff.get<double>() != loaded.model->cutoff()) {
    fail("{}: 'cutoff' {} disagrees with the architecture's cutoff {}", path.string(), cutoff.dump(),
         loaded.model->cutoff());
  }
  const json record = config.value("weights", json(nullptr));
  if (record.is_object() && record.value("file", kWeightsFileName) != kWeightsFileName) {
    fail("{}: 'weights' names file {}, but eqt model directories keep their weights in {}", path.string(),
         record.at("file").dump(), kWeightsFileName);
  }
  load_weights(*loaded.model, dir / kWeightsFileName, record, path);
  return loaded;
}

LoadedModel load_reference_format(const fs::path& dir, c10::ScalarType dtype) {
  const fs::path path = dir / "config.json";
  const json config = io::read_json_file(path);
  if (!config.is_object() || !config.contains("class") || !config.at("class").is_string()) {
    fail("{}: no \"class\" naming the model's Python class", path.string());
  }
  // Some exports record the constructor call ("src.pet.PET(hypers, ...)"): the class is the path.
  const std::string class_text = config.at("class").get<std::string>();
  const std::string class_name = class_text.substr(0, class_text.find('('));
  const ReferenceLoader* loader = find_reference_loader(class_name);
  if (!loader) fail("{}: unknown model class '{}' (known: {})", path.string(), class_name, join(reference_classes()));
  return {(*loader)(dir, dtype), class_name, {}};
}

LoadedModel dispatch(const fs::path& dir, c10::ScalarType dtype) {
  const bool eqt_format = fs::exists(dir / "model.json");
  if (!eqt_format && !fs::exists(dir / "config.json")) {
    fail("{} is not a model directory: it has neither model.json (eqt) nor config.json (official export)",
         dir.string());
  }
  if (!fs::exists(dir / "weights.safetensors")) fail("{}: missing weights file weights.safetensors", dir.string());
  return eqt_format ? load_eqt_format(dir, dtype) : load_reference_format(dir, dtype);
}

}  // namespace

LoadedModel read_model_directory(const fs::path& dir, c10::ScalarType dtype) {
  if (!fs::exists(dir)) fail("model directory {} does not exist", dir.string());
  if (!fs::is_directory(dir)) fail("model path {} is not a directory", dir.string());
  try {
    return dispatch(dir, dtype);
  } catch (const Error& e) {
    // Architecture code may not name the directory; keep the message once.
    const std::string message = e.what();
    if (message.find(dir.string()) != std::string::npos) throw;
    fail("cannot load model from {}: {}", dir.string(), message);
  } catch (const c10::Error& e) {
    fail("cannot load model from {}: {}", dir.string(), e.what_without_backtrace());
  } catch (const json::exception& e) {
    fail("cannot load model from {}: {}", dir.string(), e.what());
  }
}

std::shared_ptr<Model> load_model(const fs::path& dir, c10::ScalarType dtype) {
  return read_model_directory(dir, dtype).model;
}

}  // namespace eqt::models
