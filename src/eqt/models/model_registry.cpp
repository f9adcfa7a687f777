#include "eqt/models/model_registry.h"

#include <map>
#include <mutex>

#include "eqt/core/error.h"

namespace eqt::models {

namespace {

struct Registry {
  std::map<std::string, ReferenceLoader> reference_classes;
  std::map<std::string, Architecture> kinds;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

// Built-ins are registered on first use; a recursive mutex because the built-in registration
// itself calls register_*.
std::recursive_mutex& registry_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

void ensure_builtins() {
  static std::once_flag once;
  std::call_once(once, register_builtin_models);
}

template <typename Map>
std::vector<std::string> keys(const Map& map) {
  std::vector<std::string> names;
  for (const auto& item : map) names.push_back(item.first);
  return names;
}

}  // namespace

void register_reference_class(const std::string& class_name, ReferenceLoader loader) {
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  registry().reference_classes[class_name] = std::move(loader);
}

void register_architecture(const std::string& kind, Architecture architecture) {
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  registry().kinds[kind] = std::move(architecture);
}

void register_kind(const std::string& kind, ArchitectureFormat format) {
  Architecture architecture;
  architecture.format = std::move(format);
  register_architecture(kind, std::move(architecture));
}

const ReferenceLoader* find_reference_loader(const std::string& class_name) {
  ensure_builtins();
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  const auto found = registry().reference_classes.find(class_name);
  return found == registry().reference_classes.end() ? nullptr : &found->second;
}

const Architecture* find_architecture(const std::string& kind) {
  ensure_builtins();
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  // Wrappers name their inner model in parentheses ("ecse(pet)"); the entry is the wrapper's.
  const auto found = registry().kinds.find(kind.substr(0, kind.find('(')));
  return found == registry().kinds.end() ? nullptr : &found->second;
}

const ArchitectureFormat* find_kind(const std::string& kind) {
  const Architecture* architecture = find_architecture(kind);
  return architecture ? &architecture->format : nullptr;
}

std::vector<std::string> reference_classes() {
  ensure_builtins();
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  return keys(registry().reference_classes);
}

std::vector<std::string> kinds() {
  ensure_builtins();
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  return keys(registry().kinds);
}

std::vector<std::string> trainable_kinds() {
  ensure_builtins();
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  std::vector<std::string> names;
  for (const auto& [kind, architecture] : registry().kinds) {
    if (architecture.from_config) names.push_back(kind);
  }
  return names;
}

std::string config_help(const std::string& kind) {
  ensure_builtins();
  std::lock_guard<std::recursive_mutex> lock(registry_mutex());
  const auto found = registry().kinds.find(kind);
  return found == registry().kinds.end() || !found->second.from_config ? "" : found->second.config_help;
}

}  // namespace eqt::models
