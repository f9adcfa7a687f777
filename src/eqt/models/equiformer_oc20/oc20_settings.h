#pragma once
// How the OC20 model configures its own layer: the auxiliary IS2RS head (an attention layer from
// the final features to one vector). Its blocks are the MD17 model's (equiformer/block_settings.h).
#include "eqt/models/equiformer/transformer_block.h"
#include "eqt/models/equiformer_oc20/oc20_config.h"

namespace eqt::models::equiformer_oc20 {

// irreps_feature -> 1x1o when the features hold a 1o block, else 1x1e (the official rule: with
// e3nn's 1e edge harmonics a vector output is 1e). Its own irreps_pre_attn default is the input,
// irreps_feature; dropout on the attention weights is alpha_drop (graph attention only when
// auxiliary_head_dropout), none after the projection.
equiformer::AttentionSettings auxiliary_head_settings(const Oc20Config& config);

}  // namespace eqt::models::equiformer_oc20
