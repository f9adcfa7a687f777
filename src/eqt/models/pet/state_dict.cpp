#include "eqt/models/pet/state_dict.h"

#include <regex>

#include "eqt/core/error.h"

namespace eqt::models::pet {
namespace {

std::string shape_string(const at::Tensor& t) {
  std::string s = "[";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + "]";
}

// Compared in the file, so that loading into float32 does not make aliases look different.
void check_alias(const std::string& name, const std::string& target, const io::TensorMap& tensors,
                 const std::map<std::string, at::Tensor>& parameters) {
  if (!parameters.count(target) || !tensors.count(target)) {
    fail("PET state dict: '{}' aliases '{}', which the model or the file does not have", name, target);
  }
  const at::Tensor& alias = tensors.at(name);
  const at::Tensor& original = tensors.at(target);
  if (!alias.sizes().equals(original.sizes()) || !at::equal(alias, original.to(alias.scalar_type()))) {
    fail("PET state dict: '{}' should repeat '{}' but differs from it", name, target);
  }
}

}  // namespace

std::string alias_target(const std::string& name) {
  static const std::regex head_alias(R"(^(central_tokens_predictors|messages_predictors)\.(\d+)\.head\.(.*)$)");
  static const std::regex bond_alias(R"(^messages_bonds_predictors\.(\d+)\.head\.(.*)$)");
  std::smatch m;
  if (std::regex_match(name, m, head_alias)) return "heads." + m[2].str() + "." + m[3].str();
  if (std::regex_match(name, m, bond_alias)) return "bond_heads." + m[1].str() + "." + m[2].str();
  return {};
}

bool is_unused_template(const std::string& name) {
  static const std::regex pattern(R"(^gnn_layers\.\d+\.(models\.\d+\.)?trans_layer\..*$)");
  return std::regex_match(name, pattern);
}

StateDictReport load_official_state_dict(PetModel& model, const io::TensorMap& tensors) {
  std::map<std::string, at::Tensor> parameters;
  for (const auto& item : model.named_parameters(/*recurse=*/true)) parameters[item.key()] = item.value();
  StateDictReport report;
  at::NoGradGuard no_grad;
  for (auto& [name, parameter] : parameters) {
    const auto found = tensors.find(name);
    if (found == tensors.end()) fail("PET state dict: missing '{}'", name);
    if (!found->second.sizes().equals(parameter.sizes())) {
      fail("PET state dict: '{}' has shape {} but the model expects {}", name, shape_string(found->second),
           shape_string(parameter));
    }
    parameter.copy_(found->second.to(parameter.scalar_type()));
    report.loaded.push_back(name);
  }
  for (const auto& [name, unused] : tensors) {
    if (parameters.count(name)) continue;
    if (is_unused_template(name)) {
      report.templates.push_back(name);
    } else if (const std::string target = alias_target(name); !target.empty()) {
      check_alias(name, target, tensors, parameters);
      report.aliases.push_back(name);
    } else {
      fail("PET state dict: '{}' is not a parameter of this PET model (check the hypers)", name);
    }
  }
  return report;
}

}  // namespace eqt::models::pet
