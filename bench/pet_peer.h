#pragma once
// Helpers of bench_pet.cpp for the official-code side: write an eqt PET model as the harness's
// --config-json (architectural_hypers + all_species) and --weights (the full official
// PET.state_dict(): eqt's names plus the official head aliases and the unused trans_layer
// templates, which the official module also holds as parameters).
// Header-only because every .cpp under bench/ becomes its own executable.
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "eqt/io/safetensors.h"
#include "eqt/models/pet/pet_model.h"
#include "eqt/models/state_dict.h"
#include "peer_harness.h"

namespace eqt_bench {

inline std::string missing_pet_sources(const fs::path& root) {
  return missing_sources(root, {{"pet", "github.com/spozdn/pet", "ff66e8f3d33184bdf193855828921b003f8f6cdb"}});
}

inline bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// eqt's state dict -> the official one (float32). Head k is also the official
// central_tokens_predictors.k.head and messages_predictors.k.head; bond head k is
// messages_bonds_predictors.k.head; gnn_layers.k.trans_layer is the (unused) template layer the
// official code deep-copies, filled here with transformer layer 0. Central-specific layers and
// heads are not handled (the default architecture has none).
inline eqt::io::TensorMap official_pet_state_dict(const eqt::models::pet::PetModel& model) {
  eqt::io::TensorMap own = eqt::models::state_dict(model);
  eqt::io::TensorMap out;
  for (const auto& [name, tensor] : own) {
    const at::Tensor t = tensor.is_floating_point() ? tensor.to(at::kFloat) : tensor;
    out[name] = t;
    const auto dot = name.find('.', name.find('.') + 1);  // end of "heads.k" / "bond_heads.k"
    if (starts_with(name, "heads.")) {
      const std::string k = name.substr(6, dot - 6), rest = name.substr(dot + 1);
      out["central_tokens_predictors." + k + ".head." + rest] = t;
      out["messages_predictors." + k + ".head." + rest] = t;
    } else if (starts_with(name, "bond_heads.")) {
      const std::string k = name.substr(11, dot - 11), rest = name.substr(dot + 1);
      out["messages_bonds_predictors." + k + ".head." + rest] = t;
    }
    const std::string layer0 = ".trans.layers.0.";
    if (const auto at = name.find(layer0); starts_with(name, "gnn_layers.") && at != std::string::npos) {
      out[name.substr(0, at) + ".trans_layer." + name.substr(at + layer0.size())] = t;
    }
  }
  return out;
}

// Writes <dir>/weights.safetensors and <dir>/config.json.
inline void export_pet_for_peer(const eqt::models::pet::PetModel& model, const nlohmann::json& architectural_hypers,
                                const fs::path& dir) {
  fs::create_directories(dir);
  eqt::io::write_safetensors(dir / "weights.safetensors", official_pet_state_dict(model));
  nlohmann::json config;
  config["architectural_hypers"] = architectural_hypers;
  config["all_species"] = model.all_species();
  std::ofstream(dir / "config.json") << config.dump(1) << "\n";
}

}  // namespace eqt_bench
