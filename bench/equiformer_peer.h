#pragma once
// Helpers of bench_equiformer.cpp for the official-code side: export the eqt model's weights under
// the official state-dict names (safetensors + config.json in the reference format) and run the
// peer harness shared/peers/time_official.py on them (peer_harness.h runs it).
// Header-only because every .cpp under bench/ becomes its own executable.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "eqt/io/safetensors.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/state_dict.h"
#include "peer_harness.h"

namespace eqt_bench {

// The official constructor kwargs of GraphAttentionTransformerMD17 for an eqt config (the fields
// the MD17 classes take; module constants keep their official values, which the preset matches).
inline nlohmann::json official_kwargs(const eqt::models::equiformer::EquiformerConfig& c) {
  nlohmann::json k;
  k["irreps_in"] = std::to_string(c.max_atom_type) + "x0e";
  k["irreps_node_embedding"] = c.irreps_node_embedding;
  k["num_layers"] = c.num_layers;
  k["irreps_node_attr"] = c.irreps_node_attr;
  k["irreps_sh"] = c.irreps_sh;
  k["max_radius"] = c.max_radius;
  k["number_of_basis"] = c.number_of_basis;
  k["fc_neurons"] = c.fc_neurons;
  k["basis_type"] = c.basis_type;
  k["irreps_feature"] = c.irreps_feature;
  k["irreps_head"] = c.irreps_head;
  k["num_heads"] = c.num_heads;
  k["irreps_pre_attn"] = nullptr;
  k["rescale_degree"] = c.rescale_degree;
  k["nonlinear_message"] = c.nonlinear_message;
  k["irreps_mlp_mid"] = c.irreps_mlp_mid;
  k["norm_layer"] = c.norm_layer;
  k["alpha_drop"] = c.alpha_drop;
  k["proj_drop"] = c.proj_drop;
  k["out_drop"] = c.out_drop;
  k["drop_path_rate"] = c.drop_path_rate;
  k["mean"] = c.mean.value_or(0.0);
  k["std"] = c.std.value_or(1.0);
  k["scale"] = nullptr;
  k["atomref"] = nullptr;
  return k;
}

// Writes <dir>/weights.safetensors (float32, official names) and <dir>/config.json.
inline void export_for_peer(const eqt::models::equiformer::EquiformerModel& model, const fs::path& dir) {
  fs::create_directories(dir);
  eqt::io::TensorMap tensors = eqt::models::state_dict(model);
  for (auto& [name, t] : tensors) {
    if (t.is_floating_point()) t = t.to(at::kFloat);
  }
  eqt::io::write_safetensors(dir / "weights.safetensors", tensors);
  const bool dot = model.config().attention == eqt::models::equiformer::AttentionType::DotProduct;
  nlohmann::json config;
  config["class"] = dot ? "nets.dp_attention_transformer_md17.DotProductAttentionTransformerMD17"
                        : "nets.graph_attention_transformer_md17.GraphAttentionTransformerMD17";
  config["constructor_kwargs"] = official_kwargs(model.config());
  std::ofstream(dir / "config.json") << config.dump(1) << "\n";
}

// The source trees the Equiformer harness needs under --src-root (shared/peers/README.md).
inline std::string missing_equiformer_sources(const fs::path& root) {
  return missing_sources(root, {{"e3nn", "github.com/e3nn/e3nn", "05b386177ed039156526f9c67d0d87b6c21ff5d3"},
                                {"opt_einsum", "github.com/dgasmith/opt_einsum", "c826bb7df16f470a69f7bf90598fc27586209d11"},
                                {"opt_einsum_fx", "github.com/Linux-cpp-lisp/opt_einsum_fx",
                                 "aad6c74af340c8d07bdf9cef3e91352d3541e053"},
                                {"equiformer", "github.com/atomicarchitects/equiformer",
                                 "64cb7866f48b9aa156e74a9d6a2ef2663b367437"}});
}

}  // namespace eqt_bench
