#pragma once
// How Equiformer appears in model directories (model_registry.h): the official reference export
// (config.json + weights.safetensors) and eqt's own model.json description.
#include <filesystem>
#include <memory>

#include "eqt/models/model_registry.h"

namespace eqt::models::equiformer {

// The official MD17 classes this implementation reproduces.
inline const char* const kGraphAttentionMd17Class = "nets.graph_attention_transformer_md17.GraphAttentionTransformerMD17";
inline const char* const kDotProductMd17Class = "nets.dp_attention_transformer_md17.DotProductAttentionTransformerMD17";

// load_equiformer_reference, after checking that every constructor kwarg has the right JSON type
// (errors name config.json and the key).
std::shared_ptr<Model> load_reference_directory(const std::filesystem::path& dir, c10::ScalarType dtype);

// architecture = to_json(config) without mean / std / atomref, which go to "normalisation";
// "dipole_head": true only for models with charges / dipole outputs.
ArchitectureFormat architecture_format();

// Every hook of the "equiformer" kind: its format, model.equiformer in a training config (the
// official constructor's keys, config.h) and its interaction range.
Architecture architecture();

}  // namespace eqt::models::equiformer
