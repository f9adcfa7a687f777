#pragma once
// Named parameters and buffers of a module <-> a flat tensor map (PyTorch state_dict names), so
// checkpoints of the official Python models load into the C++ ones.
#include <torch/nn/module.h>

#include "eqt/io/safetensors.h"

namespace eqt::models {

// Every parameter and buffer under its dotted name, detached.
io::TensorMap state_dict(const torch::nn::Module& module);

// Copies each tensor into the parameter / buffer of the same name (converted to its dtype).
// Strict: every module entry must be given and every given tensor used, each exactly once, with
// equal shapes; otherwise throws eqt::Error listing the missing / unexpected / mismatched names.
void load_state_dict(torch::nn::Module& module, const io::TensorMap& tensors);

}  // namespace eqt::models
