#pragma once
// PET's architectural hyper-parameters, read from the official ARCHITECTURAL_HYPERS mapping
// (keys and meanings as in spozdn/pet default_hypers/default_hypers.yaml). Keys missing from the
// mapping take the official defaults; unknown keys and values eqt does not implement (long-range
// part, extra scalar attributes, several targets, non-energy targets) are rejected with eqt::Error.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace eqt::models::pet {

enum class Activation { silu, mish };
enum class CompressMode { mlp, linear };
enum class TransformerType { post_ln, pre_ln };

struct PetHypers {
  double r_cut = 5.0;
  double cutoff_delta = 0.2;  // width of the cosine switch below r_cut
  int64_t n_gnn_layers = 3;
  int64_t n_trans_layers = 3;  // transformer layers inside each GNN layer
  int64_t d_model = 128;
  int64_t n_head = 4;
  int64_t dim_feedforward = 512;
  int64_t head_n_neurons = 128;
  Activation activation = Activation::silu;
  TransformerType transformer_type = TransformerType::post_ln;
  CompressMode compress_mode = CompressMode::mlp;
  bool add_token_first = true;   // central token in every GNN layer but the last
  bool add_token_second = true;  // central token in the last GNN layer
  bool transformers_central_specific = false;  // one GNN layer per central species
  bool heads_central_specific = false;         // one head per central species
  bool use_length = true;                      // token input [x, |x|] instead of x
  bool use_only_length = false;                // token input |x| only
  bool r_embedding_activation = false;         // activation after the token embedding
  bool blend_neighbor_species = false;         // neighbour species re-embedded after layer 0
  bool use_bond_energies = true;               // bond heads on the neighbour tokens
  bool average_bond_energies = false;          // bond energies averaged (by cutoff weight)
  bool average_pooling = false;                // token pooling averaged when no central token
  double residual_factor = 0.5;                // input <- factor * (input + reversed output)

  bool adds_central_token(int64_t gnn_layer) const;
  // Width of the per-neighbour geometric input of the token embedding.
  int64_t token_input_dim() const;
  // Width of the concatenation compressed into a token in GNN layer `gnn_layer`.
  int64_t compress_input_dim(int64_t gnn_layer) const;
};

// Parses and validates an ARCHITECTURAL_HYPERS object (JSON, or YAML converted by
// yaml_to_json in load.h). Throws eqt::Error naming the offending key.
PetHypers parse_pet_hypers(const nlohmann::json& architectural_hypers);

// The inverse of parse_pet_hypers: every architectural key, official names and spellings.
nlohmann::json to_architectural_hypers(const PetHypers& hypers);

// The official spelling of the enum values ("silu", "mlp", "PostLN", ...).
std::string to_string(Activation activation);
std::string to_string(CompressMode mode);
std::string to_string(TransformerType type);

}  // namespace eqt::models::pet
