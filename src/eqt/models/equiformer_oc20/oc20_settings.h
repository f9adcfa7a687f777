#pragma once
// How the OC20 model configures the shared Equiformer layers: the transformer blocks (as the MD17
// model) and the auxiliary IS2RS head (an attention layer from the final features to one vector).
#include <cstdint>
#include <vector>

#include "eqt/models/equiformer/transformer_block.h"
#include "eqt/models/equiformer_oc20/oc20_config.h"

namespace eqt::models::equiformer_oc20 {

// [number_of_basis, fc_neurons...]: the radial profiles' widths.
std::vector<int64_t> radial_widths(const equiformer::EquiformerConfig& c);

// Block i of num_layers; the last one maps to irreps_feature.
equiformer::BlockSettings oc20_block_settings(const equiformer::EquiformerConfig& c, bool last);

// irreps_feature -> 1x1o when the features hold a 1o block, else 1x1e (the official rule: with
// e3nn's 1e edge harmonics a vector output is 1e). Its own irreps_pre_attn default is the input,
// irreps_feature; dropout on the attention weights is alpha_drop (graph attention only when
// auxiliary_head_dropout), none after the projection.
equiformer::AttentionSettings auxiliary_head_settings(const Oc20Config& config);

}  // namespace eqt::models::equiformer_oc20
