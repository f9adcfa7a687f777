#pragma once
// Loads one module of reference/e3nn/modules.{json,safetensors}: the JSON describes the module
// (irreps, instructions, ...) and the safetensors copy holds every tensor, weights included.
#include <ATen/ATen.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "eqt/io/safetensors.h"
#include "support/reference.h"

namespace eqt::testing {

struct ModuleReference {
  nlohmann::json spec;
  io::TensorMap tensors;  // keys without the "<module>." prefix

  const at::Tensor& tensor(const std::string& name) const { return tensors.at(name); }
};

inline ModuleReference load_module_reference(const std::filesystem::path& shared, const std::string& module) {
  const auto dir = shared / "reference/e3nn";
  ModuleReference ref;
  ref.spec = load_json(dir / "modules.json")["modules"][module];
  for (const auto& [key, tensor] : io::read_safetensors(dir / "modules.safetensors").tensors) {
    if (key.rfind(module + ".", 0) == 0) ref.tensors[key.substr(module.size() + 1)] = tensor;
  }
  return ref;
}

// Overwrites a module parameter in place (keeps its registration, dtype and device).
inline void assign_parameter(at::Tensor& parameter, const at::Tensor& value) {
  at::NoGradGuard no_grad;
  ASSERT_EQ(parameter.sizes(), value.sizes());
  parameter.copy_(value);
}

}  // namespace eqt::testing
