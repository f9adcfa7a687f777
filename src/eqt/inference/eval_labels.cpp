#include "eqt/inference/eval_labels.h"

#include <optional>

#include "eqt/core/error.h"
#include "eqt/inference/relaxation_metrics.h"
#include "eqt/models/output_names.h"

namespace eqt::inference {

namespace {

std::string label_key(const EvaluationKeys& keys, const std::string& output) {
  const auto found = keys.targets.find(output);
  return found == keys.targets.end() ? output : found->second;
}

// Model outputs are compared per structure when they are [] or [k] (info), per atom when [N, ...] (arrays).
void compare_output(const std::string& name, const at::Tensor& predicted, const at::Tensor* label,
                    const std::string& key, const std::string& where, const std::string& per,
                    train::EvaluationMetrics& metrics, std::set<std::string>& unlabelled) {
  if (!label) {
    unlabelled.insert(name);
    return;
  }
  if (label->numel() != predicted.numel()) {
    fail("{}: label '{}' has {} values but the model's output '{}' has {}", where, key, label->numel(), name,
         predicted.numel());
  }
  metrics.add(name, "", per, predicted, *label);
}

const at::Tensor* info_tensor(const data::Structure& s, const std::string& key, const std::string& where) {
  const auto found = s.info.find(key);
  if (found == s.info.end()) return nullptr;
  const auto* tensor = std::get_if<at::Tensor>(&found->second);
  const bool numeric = tensor && (at::isFloatingType(tensor->scalar_type()) || at::isIntegralType(tensor->scalar_type(), false));
  if (!numeric) {
    fail("{}: label '{}' is not numeric", where, key);
  }
  return tensor;
}

}  // namespace

std::pair<std::string, std::string> parse_target_mapping(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
    fail("--target must be OUTPUT=KEY (a model output name and the data's key for its label), not '{}'", text);
  }
  return {text.substr(0, equals), text.substr(equals + 1)};
}

void compare_with_labels(const data::Structure& s, const StructurePrediction& p, const EvaluationKeys& keys,
                         const std::string& where, train::EvaluationMetrics& metrics, std::set<std::string>& unlabelled) {
  const auto atoms = static_cast<double>(s.num_atoms());
  metrics.count_structure(s.num_atoms());
  std::optional<double> energy;
  std::optional<at::Tensor> forces, stress;
  try {
    energy = data::energy_label(s, keys.labels);
    forces = data::forces_label(s, keys.labels);
    stress = data::stress_label(s, keys.labels);
  } catch (const Error& e) {
    fail("{}: {}", where, e.what());
  }
  if (energy) {
    metrics.add("energy", "eV", "structure", at::scalar_tensor(p.energy, at::kDouble), at::scalar_tensor(*energy, at::kDouble));
    metrics.add("energy_per_atom", "eV/atom", "structure", at::scalar_tensor(p.energy / atoms, at::kDouble),
                at::scalar_tensor(*energy / atoms, at::kDouble));
  }
  if (forces && p.forces.defined()) metrics.add("forces", "eV/A", "component", p.forces, *forces);
  if (stress && p.stress.defined()) metrics.add("stress", "eV/A^3", "component", p.stress, *stress);
  for (const auto& [name, value] : p.per_structure) {
    const std::string key = label_key(keys, name);
    compare_output(name, value, info_tensor(s, key, where), key, where, value.numel() == 1 ? "structure" : "component",
                   metrics, unlabelled);
  }
  for (const auto& [name, value] : p.per_atom) {
    if (name == models::kRelaxedPositionsOutput) {  // free atoms only, nearest image (relaxation_metrics.h)
      const auto mapped = keys.targets.find(name);
      const std::string key = mapped == keys.targets.end() ? kRelaxedPositionsLabel : mapped->second;
      if (!compare_relaxation(s, p, key, where, metrics)) unlabelled.insert(name);
      continue;
    }
    const std::string key = label_key(keys, name);
    const auto found = s.arrays.find(key);
    compare_output(name, value, found == s.arrays.end() ? nullptr : &found->second, key, where, "component", metrics,
                   unlabelled);
  }
}

}  // namespace eqt::inference
