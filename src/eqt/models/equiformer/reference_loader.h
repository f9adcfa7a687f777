#pragma once
// Loads an official Equiformer export: <dir>/config.json (class, constructor_kwargs,
// module_constants) and <dir>/weights.safetensors (the official state dict), strictly: every
// tensor of the file must be consumed and every parameter / buffer of the model set.
#include <filesystem>
#include <memory>

#include "eqt/models/equiformer/equiformer_model.h"

namespace eqt::models::equiformer {

std::shared_ptr<EquiformerModel> load_equiformer_reference(const std::filesystem::path& dir,
                                                           c10::ScalarType dtype = at::kDouble);

}  // namespace eqt::models::equiformer
