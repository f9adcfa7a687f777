#include "eqt/models/state_dict.h"

#include <string>
#include <vector>

#include "eqt/core/error.h"

namespace eqt::models {

namespace {

io::TensorMap module_entries(const torch::nn::Module& module) {
  io::TensorMap entries;
  for (const auto& item : module.named_parameters(true)) entries[item.key()] = item.value();
  for (const auto& item : module.named_buffers(true)) entries[item.key()] = item.value();
  return entries;
}

std::string join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

}  // namespace

io::TensorMap state_dict(const torch::nn::Module& module) {
  io::TensorMap result;
  for (const auto& [name, tensor] : module_entries(module)) result[name] = tensor.detach();
  return result;
}

void load_state_dict(torch::nn::Module& module, const io::TensorMap& tensors) {
  const io::TensorMap entries = module_entries(module);
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [name, target] : entries) {
    const auto found = tensors.find(name);
    if (found == tensors.end()) {
      missing.push_back(name);
    } else if (found->second.sizes() != target.sizes()) {
      mismatched.push_back(name + " (" + c10::str(found->second.sizes()) + " vs " + c10::str(target.sizes()) + ")");
    }
  }
  for (const auto& [name, tensor] : tensors) {
    if (entries.count(name) == 0) unexpected.push_back(name);
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    fail("load_state_dict: missing [{}]; unexpected [{}]; shape mismatch [{}]", join(missing), join(unexpected),
         join(mismatched));
  }
  at::NoGradGuard no_grad;
  for (const auto& [name, target] : entries) {
    at::Tensor destination = target;
    destination.copy_(tensors.at(name).to(target.device(), target.scalar_type()));
  }
}

}  // namespace eqt::models
