#pragma once
// Loading an official PET.state_dict() (e.g. converted to safetensors) into PetModel. The official
// dict repeats tensors: each head also appears as central_tokens_predictors.k.head /
// messages_predictors.k.head (bond heads as messages_bonds_predictors.k.head), and every GNN layer
// keeps the unused template gnn_layers.k.trans_layer it deep-copied into trans.layers.j. PetModel
// registers each tensor once; aliases are checked to equal what was loaded, templates skipped.
#include <string>
#include <vector>

#include "eqt/io/safetensors.h"
#include "eqt/models/pet/pet_model.h"

namespace eqt::models::pet {

struct StateDictReport {
  std::vector<std::string> loaded;     // model parameter names, each read from the same file name
  std::vector<std::string> aliases;    // file names repeating a loaded tensor (verified equal)
  std::vector<std::string> templates;  // unused trans_layer templates (ignored)
};

// Copies every parameter of `model` from `tensors` (converted to the model's dtype). Throws
// eqt::Error for a missing parameter, a shape mismatch, an alias that differs from its original,
// or a tensor the model does not know.
StateDictReport load_official_state_dict(PetModel& model, const io::TensorMap& tensors);

// The official name a file alias stands for ("central_tokens_predictors.0.head.model.nn.0.weight"
// -> "heads.0.model.nn.0.weight"); empty when `name` is not an alias.
std::string alias_target(const std::string& name);
bool is_unused_template(const std::string& name);

}  // namespace eqt::models::pet
