#include "eqt/models/pet/hypers.h"

#include <functional>
#include <map>

#include "eqt/core/error.h"

namespace eqt::models::pet {
namespace {

using Json = nlohmann::json;
using Setter = std::function<void(PetHypers&, const Json&, const std::string&)>;

bool as_bool(const Json& v, const std::string& key) {
  if (!v.is_boolean()) fail("PET hypers: {} must be true or false, got {}", key, v.dump());
  return v.get<bool>();
}

// A model file's sizes decide what is allocated before its weights are read: a hostile or mistaken
// width or depth must fail here, not in the allocator (found by fuzz/fuzz_model_directory).
// The official default hypers use widths of 256 and 3 layers; these bounds are far above any real
// model and keep every single weight matrix below 2^32 elements.
constexpr int64_t kMaxPetSize = 65536;
constexpr int64_t kMaxPetLayers = 256;

int64_t as_positive_int(const Json& v, const std::string& key) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1) {
    fail("PET hypers: {} must be a positive integer, got {}", key, v.dump());
  }
  const bool layers = key.find("LAYERS") != std::string::npos;
  const int64_t limit = layers ? kMaxPetLayers : kMaxPetSize;
  if (v.get<int64_t>() > limit) fail("PET hypers: {} = {} is beyond eqt's limit of {}", key, v.dump(), limit);
  return v.get<int64_t>();
}

double as_number(const Json& v, const std::string& key) {
  if (!v.is_number()) fail("PET hypers: {} must be a number, got {}", key, v.dump());
  return v.get<double>();
}

std::string as_string(const Json& v, const std::string& key) {
  if (!v.is_string()) fail("PET hypers: {} must be a string, got {}", key, v.dump());
  return v.get<std::string>();
}

// A key whose only supported value is `expected` (features eqt does not implement).
Setter require(Json expected, std::string why) {
  return [expected, why](PetHypers&, const Json& v, const std::string& key) {
    if (v != expected) fail("PET hypers: {} = {} is not supported ({})", key, v.dump(), why);
  };
}

// Training-time or feature-specific keys with no effect on the architecture eqt builds.
void ignore(PetHypers&, const Json&, const std::string&) {}

template <typename Enum>
Enum parse_enum(const Json& v, const std::string& key, const std::map<std::string, Enum>& values) {
  const std::string name = as_string(v, key);
  const auto it = values.find(name);
  if (it == values.end()) {
    std::string known;
    for (const auto& [k, unused] : values) known += (known.empty() ? "" : ", ") + k;
    fail("PET hypers: {} = '{}' is unknown (supported: {})", key, name, known);
  }
  return it->second;
}

#define EQT_BOOL(field) [](PetHypers& h, const Json& v, const std::string& k) { h.field = as_bool(v, k); }
#define EQT_INT(field) \
  [](PetHypers& h, const Json& v, const std::string& k) { h.field = as_positive_int(v, k); }
#define EQT_NUMBER(field) \
  [](PetHypers& h, const Json& v, const std::string& k) { h.field = as_number(v, k); }

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"R_CUT", EQT_NUMBER(r_cut)},
      {"CUTOFF_DELTA", EQT_NUMBER(cutoff_delta)},
      {"N_GNN_LAYERS", EQT_INT(n_gnn_layers)},
      {"N_TRANS_LAYERS", EQT_INT(n_trans_layers)},
      {"TRANSFORMER_D_MODEL", EQT_INT(d_model)},
      {"TRANSFORMER_N_HEAD", EQT_INT(n_head)},
      {"TRANSFORMER_DIM_FEEDFORWARD", EQT_INT(dim_feedforward)},
      {"HEAD_N_NEURONS", EQT_INT(head_n_neurons)},
      {"ADD_TOKEN_FIRST", EQT_BOOL(add_token_first)},
      {"ADD_TOKEN_SECOND", EQT_BOOL(add_token_second)},
      {"TRANSFORMERS_CENTRAL_SPECIFIC", EQT_BOOL(transformers_central_specific)},
      {"HEADS_CENTRAL_SPECIFIC", EQT_BOOL(heads_central_specific)},
      {"USE_LENGTH", EQT_BOOL(use_length)},
      {"USE_ONLY_LENGTH", EQT_BOOL(use_only_length)},
      {"R_EMBEDDING_ACTIVATION", EQT_BOOL(r_embedding_activation)},
      {"BLEND_NEIGHBOR_SPECIES", EQT_BOOL(blend_neighbor_species)},
      {"USE_BOND_ENERGIES", EQT_BOOL(use_bond_energies)},
      {"AVERAGE_BOND_ENERGIES", EQT_BOOL(average_bond_energies)},
      {"AVERAGE_POOLING", EQT_BOOL(average_pooling)},
      {"RESIDUAL_FACTOR", EQT_NUMBER(residual_factor)},
      {"ACTIVATION",
       [](PetHypers& h, const Json& v, const std::string& k) {
         h.activation = parse_enum<Activation>(v, k, {{"silu", Activation::silu}, {"mish", Activation::mish}});
       }},
      {"COMPRESS_MODE",
       [](PetHypers& h, const Json& v, const std::string& k) {
         h.compress_mode =
             parse_enum<CompressMode>(v, k, {{"mlp", CompressMode::mlp}, {"linear", CompressMode::linear}});
       }},
      {"TRANSFORMER_TYPE",
       [](PetHypers& h, const Json& v, const std::string& k) {
         h.transformer_type = parse_enum<TransformerType>(
             v, k, {{"PostLN", TransformerType::post_ln}, {"PreLN", TransformerType::pre_ln}});
       }},
      {"USE_ADDITIONAL_SCALAR_ATTRIBUTES", require(false, "per-atom scalar attributes are not implemented")},
      {"USE_LONG_RANGE", require(false, "the long-range part is not implemented")},
      {"N_TARGETS", require(1, "eqt's PET predicts one target, the energy")},
      {"D_OUTPUT", require(1, "the energy is a single scalar")},
      {"TARGET_TYPE", require("structural", "the energy is a structural target")},
      {"TARGET_AGGREGATION", require("sum", "the energy is a sum of atomic contributions")},
      // Only used by the rejected features above, or by training (mixed precision, data keys).
      {"SCALAR_ATTRIBUTES_SIZE", ignore},
      {"K_CUT", ignore},
      {"K_CUT_DELTA", ignore},
      {"DTYPE", ignore},
      {"TARGET_INDEX_KEY", ignore},
  };
  return table;
}

#undef EQT_BOOL
#undef EQT_INT
#undef EQT_NUMBER

void validate(const PetHypers& h) {
  if (!(h.r_cut > 0.0)) fail("PET hypers: R_CUT must be positive, got {}", h.r_cut);
  if (!(h.cutoff_delta > 0.0 && h.cutoff_delta <= h.r_cut)) {
    fail("PET hypers: CUTOFF_DELTA must be in (0, R_CUT = {}], got {}", h.r_cut, h.cutoff_delta);
  }
  if (h.d_model % h.n_head != 0) {
    fail("PET hypers: TRANSFORMER_D_MODEL = {} is not divisible by TRANSFORMER_N_HEAD = {}",
         h.d_model, h.n_head);
  }
}

}  // namespace

bool PetHypers::adds_central_token(int64_t gnn_layer) const {
  return gnn_layer + 1 < n_gnn_layers ? add_token_first : add_token_second;
}

int64_t PetHypers::token_input_dim() const {
  if (use_only_length) return 1;
  return use_length ? 4 : 3;
}

int64_t PetHypers::compress_input_dim(int64_t gnn_layer) const {
  const bool blends = blend_neighbor_species && gnn_layer > 0;
  return (blends ? 3 : 2) * d_model;
}

PetHypers parse_pet_hypers(const nlohmann::json& architectural_hypers) {
  if (!architectural_hypers.is_object()) {
    fail("PET hypers: ARCHITECTURAL_HYPERS must be a mapping, got {}", architectural_hypers.dump());
  }
  PetHypers hypers;
  for (const auto& [key, value] : architectural_hypers.items()) {
    const auto it = setters().find(key);
    if (it == setters().end()) fail("PET hypers: unknown key '{}'", key);
    it->second(hypers, value, key);
  }
  validate(hypers);
  return hypers;
}

nlohmann::json to_architectural_hypers(const PetHypers& h) {
  return {{"R_CUT", h.r_cut},
          {"CUTOFF_DELTA", h.cutoff_delta},
          {"N_GNN_LAYERS", h.n_gnn_layers},
          {"N_TRANS_LAYERS", h.n_trans_layers},
          {"TRANSFORMER_D_MODEL", h.d_model},
          {"TRANSFORMER_N_HEAD", h.n_head},
          {"TRANSFORMER_DIM_FEEDFORWARD", h.dim_feedforward},
          {"HEAD_N_NEURONS", h.head_n_neurons},
          {"ADD_TOKEN_FIRST", h.add_token_first},
          {"ADD_TOKEN_SECOND", h.add_token_second},
          {"TRANSFORMERS_CENTRAL_SPECIFIC", h.transformers_central_specific},
          {"HEADS_CENTRAL_SPECIFIC", h.heads_central_specific},
          {"USE_LENGTH", h.use_length},
          {"USE_ONLY_LENGTH", h.use_only_length},
          {"R_EMBEDDING_ACTIVATION", h.r_embedding_activation},
          {"BLEND_NEIGHBOR_SPECIES", h.blend_neighbor_species},
          {"USE_BOND_ENERGIES", h.use_bond_energies},
          {"AVERAGE_BOND_ENERGIES", h.average_bond_energies},
          {"AVERAGE_POOLING", h.average_pooling},
          {"RESIDUAL_FACTOR", h.residual_factor},
          {"ACTIVATION", to_string(h.activation)},
          {"COMPRESS_MODE", to_string(h.compress_mode)},
          {"TRANSFORMER_TYPE", to_string(h.transformer_type)}};
}

std::string to_string(Activation activation) {
  return activation == Activation::silu ? "silu" : "mish";
}
std::string to_string(CompressMode mode) { return mode == CompressMode::mlp ? "mlp" : "linear"; }
std::string to_string(TransformerType type) {
  return type == TransformerType::post_ln ? "PostLN" : "PreLN";
}

}  // namespace eqt::models::pet
