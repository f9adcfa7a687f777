#pragma once
// The model registry's names (model_registry.h) for code that needs nothing else, such as the
// training config's checks and reference (train/config*.cpp), without the model headers.
#include <string>
#include <vector>

namespace eqt::models {

// Kinds a training config can name as model.kind (architectures with a from_config hook), sorted.
std::vector<std::string> trainable_kinds();

// The line describing the config section model.<kind> of a trainable kind; "" for others.
std::string config_help(const std::string& kind);

}  // namespace eqt::models
