// EquiformerConfig from YAML presets (declared in config.h).
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <string>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/config.h"

namespace eqt::models::equiformer {

namespace {

using Setter = std::function<void(EquiformerConfig&, const YAML::Node&)>;

template <typename T>
Setter set(T EquiformerConfig::*field) {
  return [field](EquiformerConfig& c, const YAML::Node& v) { c.*field = v.as<T>(); };
}

Setter set_optional(c10::optional<double> EquiformerConfig::*field) {
  return [field](EquiformerConfig& c, const YAML::Node& v) {
    if (v.IsNull()) {
      c.*field = c10::nullopt;
    } else {
      c.*field = v.as<double>();
    }
  };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"attention",
       [](EquiformerConfig& c, const YAML::Node& v) {
         const auto text = v.as<std::string>();
         if (text == "graph") {
           c.attention = AttentionType::Graph;
         } else if (text == "dot_product") {
           c.attention = AttentionType::DotProduct;
         } else {
           fail("Equiformer preset: attention must be 'graph' or 'dot_product', not '{}'", text);
         }
       }},
      {"species_map",
       [](EquiformerConfig& c, const YAML::Node& v) {
         const auto text = v.as<std::string>();
         if (text != "z" && text != "qm9") fail("Equiformer preset: species_map must be 'z' or 'qm9', not '{}'", text);
         c.species_map = text == "qm9" ? SpeciesMap::Qm9 : SpeciesMap::AtomicNumber;
       }},
      {"irreps_pre_attn",
       [](EquiformerConfig& c, const YAML::Node& v) { c.irreps_pre_attn = v.IsNull() ? "" : v.as<std::string>(); }},
      {"irreps_node_embedding", set(&EquiformerConfig::irreps_node_embedding)},
      {"num_layers", set(&EquiformerConfig::num_layers)},
      {"irreps_node_attr", set(&EquiformerConfig::irreps_node_attr)},
      {"irreps_sh", set(&EquiformerConfig::irreps_sh)},
      {"max_radius", set(&EquiformerConfig::max_radius)},
      {"number_of_basis", set(&EquiformerConfig::number_of_basis)},
      {"basis_type", set(&EquiformerConfig::basis_type)},
      {"fc_neurons", set(&EquiformerConfig::fc_neurons)},
      {"irreps_feature", set(&EquiformerConfig::irreps_feature)},
      {"irreps_head", set(&EquiformerConfig::irreps_head)},
      {"num_heads", set(&EquiformerConfig::num_heads)},
      {"rescale_degree", set(&EquiformerConfig::rescale_degree)},
      {"nonlinear_message", set(&EquiformerConfig::nonlinear_message)},
      {"irreps_mlp_mid", set(&EquiformerConfig::irreps_mlp_mid)},
      {"norm_layer", set(&EquiformerConfig::norm_layer)},
      {"norm_eps", set(&EquiformerConfig::norm_eps)},
      {"alpha_drop", set(&EquiformerConfig::alpha_drop)},
      {"proj_drop", set(&EquiformerConfig::proj_drop)},
      {"out_drop", set(&EquiformerConfig::out_drop)},
      {"drop_path_rate", set(&EquiformerConfig::drop_path_rate)},
      {"mean", set_optional(&EquiformerConfig::mean)},
      {"std", set_optional(&EquiformerConfig::std)},
      {"scale", set_optional(&EquiformerConfig::scale)},
      {"atomref", set(&EquiformerConfig::atomref)},
      {"avg_num_nodes", set(&EquiformerConfig::avg_num_nodes)},
      {"avg_degree", set(&EquiformerConfig::avg_degree)},
      {"max_atom_type", set(&EquiformerConfig::max_atom_type)},
      {"smooth_cutoff", set(&EquiformerConfig::smooth_cutoff)},
      {"smooth_cutoff_width", set(&EquiformerConfig::smooth_cutoff_width)},
  };
  return table;
}

}  // namespace

EquiformerConfig config_from_yaml(const YAML::Node& node) {
  if (!node.IsMap()) fail("Equiformer preset: expected a mapping of hyper-parameters");
  EquiformerConfig config;
  for (const auto& item : node) {
    const auto key = item.first.as<std::string>();
    const auto found = setters().find(key);
    if (found == setters().end()) fail("Equiformer preset: unknown key '{}'", key);
    try {
      found->second(config, item.second);
    } catch (const YAML::Exception& e) {
      fail("Equiformer preset: bad value for '{}': {}", key, e.what());
    }
  }
  config.validate();
  return config;
}

}  // namespace eqt::models::equiformer
