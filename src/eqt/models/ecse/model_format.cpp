#include "eqt/models/ecse/model_format.h"

#include <fmt/ranges.h>

#include "eqt/core/error.h"
#include "eqt/models/ecse/ecse_model.h"

namespace eqt::models::ecse {

namespace {

using json = nlohmann::json;

const ArchitectureFormat& format_of(const std::string& kind) {
  const ArchitectureFormat* format = find_kind(kind);
  if (!format) fail("ECSE: no model format is registered for kind '{}' (known: {})", kind, fmt::join(kinds(), ", "));
  return *format;
}

ArchitectureFormat::Description describe(const Model& model) {
  const auto* ecse = dynamic_cast<const EcseModel*>(&model);
  if (!ecse) fail("ECSE format: the model is not an EcseModel");
  const auto backbone = format_of(ecse->backbone().kind()).describe(ecse->backbone());
  json architecture = {{"hypers", to_json(ecse->options().hypers)},
                       {"max_frames_per_call", ecse->options().max_frames_per_call},
                       {"max_atoms_per_call", ecse->options().max_atoms_per_call},
                       {"backbone", {{"kind", ecse->backbone().kind()}, {"architecture", backbone.architecture}}},
                       {"fallback", nullptr}};
  if (const Model* fallback = ecse->fallback()) {
    const auto described = format_of(fallback->kind()).describe(*fallback);
    architecture["fallback"] = {{"kind", fallback->kind()},
                                {"architecture", described.architecture},
                                {"normalisation", described.normalisation}};
  }
  return {architecture, backbone.normalisation};
}

const json& member(const json& object, const char* key, const char* where) {
  if (!object.is_object() || !object.contains(key)) fail("architecture: {}: '{}' is missing", where, key);
  return object.at(key);
}

std::shared_ptr<Model> build_inner(const json& entry, const json& normalisation, const char* where,
                                   c10::ScalarType dtype) {
  const json& kind = member(entry, "kind", where);
  if (!kind.is_string()) fail("architecture: {}: 'kind' must be a string", where);
  const json& own = entry.contains("normalisation") ? entry.at("normalisation") : normalisation;
  try {
    return format_of(kind.get<std::string>()).build({member(entry, "architecture", where), own}, dtype);
  } catch (const Error& e) {
    fail("architecture: {}: {}", where, e.what());
  }
}

std::shared_ptr<Model> build(const ArchitectureFormat::Description& description, c10::ScalarType dtype) {
  const json& architecture = description.architecture;
  if (!architecture.is_object()) fail("'architecture' must be an object");
  for (const auto& item : architecture.items()) {
    const std::string& key = item.key();
    if (key != "hypers" && key != "max_frames_per_call" && key != "max_atoms_per_call" && key != "backbone" &&
        key != "fallback") {
      fail("architecture: unknown key '{}' (ECSE has hypers, max_frames_per_call, max_atoms_per_call, backbone, "
           "fallback)", key);
    }
  }
  EcseOptions options;
  options.hypers = ecse_hypers_from_json(architecture.value("hypers", json::object()));
  const json frames = architecture.value("max_frames_per_call", json(0));
  if (!frames.is_number_integer() || frames.get<int64_t>() < 0) {
    fail("architecture: 'max_frames_per_call' must be a non-negative integer");
  }
  options.max_frames_per_call = frames.get<int64_t>();
  // Directories written before the key existed get the default budget.
  const json atoms = architecture.value("max_atoms_per_call", json(kDefaultMaxAtomsPerCall));
  if (!atoms.is_number_integer() || atoms.get<int64_t>() < 0) {
    fail("architecture: 'max_atoms_per_call' must be a non-negative integer");
  }
  options.max_atoms_per_call = atoms.get<int64_t>();
  auto backbone = build_inner(member(architecture, "backbone", "ECSE"), description.normalisation, "backbone", dtype);
  std::shared_ptr<Model> fallback;
  const json& fallback_entry = architecture.value("fallback", json(nullptr));
  if (!fallback_entry.is_null()) fallback = build_inner(fallback_entry, description.normalisation, "fallback", dtype);
  return std::make_shared<EcseModel>(backbone, fallback, options);
}

}  // namespace

ArchitectureFormat architecture_format() { return {describe, build}; }

}  // namespace eqt::models::ecse
