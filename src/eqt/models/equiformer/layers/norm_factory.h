#pragma once
// Equiformer's get_norm_layer: the `norm_layer` names the official code accepts.
#include <memory>
#include <string>

#include "eqt/models/equiformer/layers/equivariant_norm.h"

namespace eqt::models::equiformer {

// "layer" and "fast_layer" -> EquivariantLayerNormV2 (the official fast variant only swaps in
// torch's fused layer_norm for the 0e blocks; same function, same parameters);
// "graph" -> EquivariantGraphNorm; "instance" -> EquivariantInstanceNorm. All affine,
// 'component', with the given eps (the official models' is 1e-5). Anything else (including the
// official None) raises eqt::Error; callers that allow no norm should test for that before calling.
std::shared_ptr<EquivariantNorm> make_norm(const std::string& name, const so3::Irreps& irreps, double eps,
                                           c10::ScalarType dtype = at::kFloat);

}  // namespace eqt::models::equiformer
