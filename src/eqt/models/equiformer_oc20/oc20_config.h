#pragma once
// Hyper-parameters of Equiformer's OC20 variant (the official GraphAttentionTransformerOC20 /
// DotProductAttentionTransformerOC20, IS2RE with the optional IS2RS auxiliary head): the blocks
// are the MD17 model's (EquiformerConfig), plus what OC20 adds: the tag embedding, the graph rule
// (radius + max_neighbours, data/slab_neighbour_list.h) and the auxiliary head, and the target
// normalisation the OC20 trainer applies outside the network.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "eqt/models/equiformer/config.h"

namespace eqt::models::equiformer_oc20 {

struct Oc20Config {
  // The shared part. OC20 always uses the Gaussian basis and embeds atomic numbers directly
  // (max_atom_type 84); network.mean / network.std denormalise the energy (E = raw*std + mean);
  // atomref is not part of the OC20 model and must stay empty.
  equiformer::EquiformerConfig network;
  int64_t max_neighbours = 50;  // graph rule: at most this many nearest neighbours per centre
  int64_t num_tags = 3;         // 0 sub-surface, 1 surface, 2 adsorbate
  bool use_auxiliary_task = true;  // the IS2RS head: a per-atom vector, "aux_pos"
  // Graph attention only: the auxiliary head's attention dropout is alpha_drop (true) or 0.
  bool auxiliary_head_dropout = true;
  // The IS2RS target is (pos_relaxed - pos) / positions_std (the official yaml's positions_std).
  double positions_std = 1.0;

  void validate() const;
};

// The constructor defaults of the official OC20 classes (irreps 256x0e+128x1e, 6 blocks, radius
// 6, 128 Gaussians, 8 heads, ...), with the module constants of IS2RE 100k.
Oc20Config official_oc20_defaults(equiformer::AttentionType attention);

// From an official export's config.json: "class", "constructor_kwargs", "module_constants" and
// "normalization_for_denormalized_outputs" (target_mean, target_std, positions_std; optional).
// Unsupported options (use_attention_head, use_node_attr, use_atom_edge_attr, use_pbc false)
// are errors.
Oc20Config oc20_config_from_official_json(const nlohmann::json& config);

// eqt's model.json "architecture": the EquiformerConfig keys (config_json.h, without mean / std /
// atomref, which go to "normalisation") plus max_neighbours, num_tags, use_auxiliary_task,
// auxiliary_head_dropout, positions_std. Reading is strict (unknown keys are errors).
nlohmann::json oc20_to_json(const Oc20Config& config);
Oc20Config oc20_from_json(const nlohmann::json& architecture);

}  // namespace eqt::models::equiformer_oc20
