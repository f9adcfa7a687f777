#include "eqt/models/equiformer_oc20/oc20_config.h"

#include <string>
#include <type_traits>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/config_json.h"
#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer_oc20 {

namespace {

using json = nlohmann::json;
using equiformer::AttentionType;

// Keys of the OC20 part of model.json's architecture (the rest is EquiformerConfig's).
const char* const kOc20Keys[] = {"max_neighbours", "num_tags", "use_auxiliary_task", "auxiliary_head_dropout",
                                 "positions_std"};

bool is_oc20_key(const std::string& key) {
  for (const char* k : kOc20Keys) {
    if (key == k) return true;
  }
  return false;
}

template <typename T>
T oc20_checked(const json& object, const char* key, T fallback) {
  if (!object.contains(key) || object.at(key).is_null()) return fallback;
  const json& v = object.at(key);
  const bool ok = std::is_same<T, bool>::value ? v.is_boolean()
                  : std::is_integral<T>::value ? v.is_number_integer()
                                               : v.is_number();
  if (!ok) fail("Equiformer OC20 config: '{}' has the wrong type: {}", key, v.dump());
  return v.get<T>();
}

// Options of the official constructors that this implementation does not have.
void reject_unsupported(const json& kwargs) {
  if (oc20_checked(kwargs, "use_attention_head", false)) fail("Equiformer OC20 config: use_attention_head=True is not supported");
  if (oc20_checked(kwargs, "use_node_attr", false)) fail("Equiformer OC20 config: use_node_attr=True is not supported");
  if (oc20_checked(kwargs, "use_atom_edge_attr", false)) {
    fail("Equiformer OC20 config: use_atom_edge_attr=True is not supported");
  }
  if (!oc20_checked(kwargs, "use_pbc", true)) fail("Equiformer OC20 config: use_pbc=False is not supported");
}

}  // namespace

void Oc20Config::validate() const {
  network.validate();
  if (network.basis_type != "gaussian") fail("Equiformer OC20: basis_type must be gaussian, not {}", network.basis_type);
  if (network.species_map != equiformer::SpeciesMap::AtomicNumber) fail("Equiformer OC20: species_map must be z");
  if (!network.atomref.empty()) fail("Equiformer OC20: atomref is not supported (IS2RE targets are adsorption energies)");
  if (network.dipole_head) fail("Equiformer OC20: dipole_head is not supported");
  if (num_tags < 1) fail("Equiformer OC20: num_tags must be >= 1, not {}", num_tags);
  if (!(positions_std > 0)) fail("Equiformer OC20: positions_std must be positive, not {}", positions_std);
}

Oc20Config official_oc20_defaults(AttentionType attention) {
  Oc20Config c;
  equiformer::EquiformerConfig& n = c.network;
  n.attention = attention;
  n.irreps_node_embedding = "256x0e+128x1e";
  n.num_layers = 6;
  n.irreps_sh = "1x0e+1x1e";
  n.max_radius = 6.0;
  n.number_of_basis = 128;
  n.basis_type = "gaussian";
  n.fc_neurons = {64, 64};
  n.irreps_feature = "512x0e";
  n.irreps_head = "32x0e+16x1e";
  n.num_heads = 8;
  n.irreps_pre_attn = "";
  n.irreps_mlp_mid = "768x0e+384x1e";
  n.alpha_drop = 0.2;
  n.avg_num_nodes = 77.81317;
  n.avg_degree = 23.395238876342773;
  n.max_atom_type = 84;
  n.smooth_cutoff = false;  // the published model
  c.use_auxiliary_task = false;
  return c;
}

Oc20Config oc20_config_from_official_json(const json& config) {
  const std::string cls = config.value("class", std::string());
  AttentionType attention = AttentionType::Graph;
  if (cls.find("DotProductAttentionTransformerOC20") != std::string::npos) {
    attention = AttentionType::DotProduct;
  } else if (cls.find("GraphAttentionTransformerOC20") == std::string::npos) {
    fail("Equiformer OC20 config: unknown class '{}'", cls);
  }
  Oc20Config c = official_oc20_defaults(attention);
  const json& kwargs = config.at("constructor_kwargs");
  reject_unsupported(kwargs);
  c.network = equiformer::apply_json(c.network, kwargs, /*ignore_unknown=*/true);
  // The dot-product class takes nonlinear_message but never uses it.
  if (attention == AttentionType::DotProduct) c.network.nonlinear_message = false;
  c.max_neighbours = oc20_checked<int64_t>(kwargs, "max_neighbors", c.max_neighbours);
  c.use_auxiliary_task = oc20_checked(kwargs, "use_auxiliary_task", c.use_auxiliary_task);
  c.auxiliary_head_dropout = oc20_checked(kwargs, "auxiliary_head_dropout", c.auxiliary_head_dropout);
  if (config.contains("module_constants")) {
    const json& m = config.at("module_constants");
    c.network.avg_num_nodes = oc20_checked(m, "_AVG_NUM_NODES", c.network.avg_num_nodes);
    c.network.avg_degree = oc20_checked(m, "_AVG_DEGREE", c.network.avg_degree);
    c.network.max_atom_type = oc20_checked<int64_t>(m, "_MAX_ATOM_TYPE", c.network.max_atom_type);
    c.num_tags = oc20_checked<int64_t>(m, "_NUM_TAGS", c.num_tags);
  }
  if (config.contains("normalization_for_denormalized_outputs")) {
    const json& n = config.at("normalization_for_denormalized_outputs");
    if (n.contains("target_mean")) c.network.mean = oc20_checked(n, "target_mean", 0.0);
    if (n.contains("target_std")) c.network.std = oc20_checked(n, "target_std", 1.0);
    c.positions_std = oc20_checked(n, "positions_std", c.positions_std);
  }
  c.validate();
  return c;
}

json oc20_to_json(const Oc20Config& config) {
  json out = equiformer::to_json(config.network);
  for (const char* key : {"mean", "std", "atomref", "dipole_head", "species_map"}) out.erase(key);
  out["max_neighbours"] = config.max_neighbours;
  out["num_tags"] = config.num_tags;
  out["use_auxiliary_task"] = config.use_auxiliary_task;
  out["auxiliary_head_dropout"] = config.auxiliary_head_dropout;
  out["positions_std"] = config.positions_std;
  return out;
}

Oc20Config oc20_from_json(const json& architecture) {
  if (!architecture.is_object()) fail("Equiformer OC20 config: expected a JSON object, not {}", architecture.dump());
  const AttentionType attention =
      architecture.value("attention", std::string("graph")) == "dot_product" ? AttentionType::DotProduct
                                                                              : AttentionType::Graph;
  Oc20Config c = official_oc20_defaults(attention);
  json network = json::object();
  for (const auto& [key, value] : architecture.items()) {
    if (!is_oc20_key(key)) network[key] = value;
  }
  c.network = equiformer::apply_json(c.network, network);
  c.max_neighbours = oc20_checked<int64_t>(architecture, "max_neighbours", c.max_neighbours);
  c.num_tags = oc20_checked<int64_t>(architecture, "num_tags", c.num_tags);
  c.use_auxiliary_task = oc20_checked(architecture, "use_auxiliary_task", c.use_auxiliary_task);
  c.auxiliary_head_dropout = oc20_checked(architecture, "auxiliary_head_dropout", c.auxiliary_head_dropout);
  c.positions_std = oc20_checked(architecture, "positions_std", c.positions_std);
  return c;
}

}  // namespace eqt::models::equiformer_oc20
