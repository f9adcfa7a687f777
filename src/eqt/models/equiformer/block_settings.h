#pragma once
// How an Equiformer config sets up its shared layers, for the MD17 / QM9 model and the OC20 model
// alike: the radial profiles' widths and each transformer block's settings.
#include <cstdint>
#include <vector>

#include "eqt/models/equiformer/config.h"
#include "eqt/models/equiformer/transformer_block.h"

namespace eqt::models::equiformer {

// [number_of_basis, fc_neurons...]: the radial profiles' widths.
std::vector<int64_t> radial_widths(const EquiformerConfig& c);

// Block i of num_layers; the last one maps to irreps_feature.
BlockSettings block_settings(const EquiformerConfig& c, bool last);

}  // namespace eqt::models::equiformer
