#pragma once
// How Equiformer's OC20 variant appears in model directories (model_registry.h): the official
// export (config.json with the OC20 class + weights.safetensors) and eqt's own model.json (kind
// "equiformer_oc20").
#include <filesystem>
#include <memory>

#include "eqt/models/equiformer_oc20/oc20_model.h"
#include "eqt/models/model_registry.h"

namespace eqt::models::equiformer_oc20 {

// The official OC20 classes this implementation reproduces.
inline const char* const kGraphAttentionOc20Class = "nets.graph_attention_transformer_oc20.GraphAttentionTransformerOC20";
inline const char* const kDotProductOc20Class = "nets.dp_attention_transformer_oc20.DotProductAttentionTransformerOC20";

// <dir>/config.json (oc20_config_from_official_json) and <dir>/weights.safetensors, strictly:
// every tensor consumed, every parameter set.
std::shared_ptr<Oc20EquiformerModel> load_oc20_reference(const std::filesystem::path& dir,
                                                         c10::ScalarType dtype = at::kDouble);

// load_oc20_reference as the registry's ReferenceLoader.
std::shared_ptr<Model> load_reference_directory(const std::filesystem::path& dir, c10::ScalarType dtype);

// architecture = oc20_to_json(config); normalisation = {mean, std} of the IS2RE energy.
ArchitectureFormat architecture_format();

// The "equiformer_oc20" kind: its format, its interaction range, and training configs' model kind
// (from_config: the section model.equiformer_oc20 holds model.json's architecture keys, on the
// official constructor defaults; the run sets use_auxiliary_task and positions_std; new models
// get the smooth cutoff unless the section turns it off).
Architecture architecture();

}  // namespace eqt::models::equiformer_oc20
