#pragma once
// EquiformerConfig <-> JSON in eqt's own model directories (model.json "architecture"): the keys
// of the official constructor plus "attention" (graph | dot_product), "species_map" (z | qm9),
// "avg_num_nodes", "avg_degree" and "max_atom_type", so a saved model needs no module constants.
// Reading is strict: unknown keys and values of the wrong JSON type are errors naming the key,
// so a hand-edited file never silently falls back to a default.
#include <nlohmann/json.hpp>

#include "eqt/models/equiformer/config.h"

namespace eqt::models::equiformer {

// Every field, including the normalisation (mean, std, scale, atomref); null for unset optionals.
nlohmann::json to_json(const EquiformerConfig& config);

// Starts from `base` and overrides the keys present in `json`. With ignore_unknown, keys this
// table does not know are skipped (used to type-check official constructor kwargs, which also
// hold e.g. irreps_in). Does not validate(): callers do once everything is set.
EquiformerConfig apply_json(EquiformerConfig base, const nlohmann::json& json, bool ignore_unknown = false);

}  // namespace eqt::models::equiformer
