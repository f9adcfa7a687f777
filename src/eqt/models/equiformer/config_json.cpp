#include "eqt/models/equiformer/config_json.h"

#include <functional>
#include <map>
#include <string>

#include "eqt/core/error.h"

namespace eqt::models::equiformer {

namespace {

using json = nlohmann::json;

// Type checks stricter than nlohmann's conversions (which turn 2.5 into the int 2).
bool has_type(const json& v, const int*) { return v.is_number_integer(); }
bool has_type(const json& v, const int64_t*) { return v.is_number_integer(); }
bool has_type(const json& v, const double*) { return v.is_number(); }
bool has_type(const json& v, const bool*) { return v.is_boolean(); }
bool has_type(const json& v, const std::string*) { return v.is_string(); }
template <typename T>
bool has_type(const json& v, const std::vector<T>*) {
  if (!v.is_array()) return false;
  for (const auto& item : v) {
    if (!has_type(item, static_cast<const T*>(nullptr))) return false;
  }
  return true;
}

const char* type_name(const int*) { return "an integer"; }
const char* type_name(const int64_t*) { return "an integer"; }
const char* type_name(const double*) { return "a number"; }
const char* type_name(const bool*) { return "true or false"; }
const char* type_name(const std::string*) { return "a string"; }
const char* type_name(const std::vector<int64_t>*) { return "a list of integers"; }
const char* type_name(const std::vector<double>*) { return "a list of numbers"; }

template <typename T>
T get_checked(const json& value, const std::string& key) {
  if (!has_type(value, static_cast<const T*>(nullptr))) {
    fail("'{}' must be {}, not {}", key, type_name(static_cast<const T*>(nullptr)), value.dump());
  }
  return value.get<T>();
}

struct Field {
  std::function<void(EquiformerConfig&, const json&, const std::string&)> read;
  std::function<json(const EquiformerConfig&)> write;
};

template <typename T>
Field plain(T EquiformerConfig::*member) {
  return {[member](EquiformerConfig& c, const json& v, const std::string& key) { c.*member = get_checked<T>(v, key); },
          [member](const EquiformerConfig& c) { return json(c.*member); }};
}

// null <-> unset
Field optional_number(c10::optional<double> EquiformerConfig::*member) {
  return {[member](EquiformerConfig& c, const json& v, const std::string& key) {
            if (v.is_null()) {
              c.*member = c10::nullopt;
            } else {
              c.*member = get_checked<double>(v, key);
            }
          },
          [member](const EquiformerConfig& c) { return (c.*member) ? json(*(c.*member)) : json(nullptr); }};
}

// A closed set of names <-> enum values.
template <typename E>
Field choice(E EquiformerConfig::*member, std::map<std::string, E> names) {
  return {[member, names](EquiformerConfig& c, const json& v, const std::string& key) {
            const auto text = get_checked<std::string>(v, key);
            const auto found = names.find(text);
            if (found == names.end()) fail("'{}' = '{}' is not one of the known values", key, text);
            c.*member = found->second;
          },
          [member, names](const EquiformerConfig& c) {
            for (const auto& [name, value] : names) {
              if (value == c.*member) return json(name);
            }
            return json(nullptr);
          }};
}

const std::map<std::string, Field>& fields() {
  using C = EquiformerConfig;
  static const std::map<std::string, Field> table = {
      {"attention", choice(&C::attention, std::map<std::string, AttentionType>{{"graph", AttentionType::Graph},
                                                                               {"dot_product", AttentionType::DotProduct}})},
      {"species_map", choice(&C::species_map, std::map<std::string, SpeciesMap>{{"z", SpeciesMap::AtomicNumber},
                                                                               {"qm9", SpeciesMap::Qm9}})},
      // The official constructor takes None for "same as the node embedding"; eqt stores "".
      {"irreps_pre_attn",
       {[](C& c, const json& v, const std::string& key) {
          c.irreps_pre_attn = v.is_null() ? std::string() : get_checked<std::string>(v, key);
        },
        [](const C& c) { return c.irreps_pre_attn.empty() ? json(nullptr) : json(c.irreps_pre_attn); }}},
      {"irreps_node_embedding", plain(&C::irreps_node_embedding)},
      {"num_layers", plain(&C::num_layers)},
      {"irreps_node_attr", plain(&C::irreps_node_attr)},
      {"irreps_sh", plain(&C::irreps_sh)},
      {"max_radius", plain(&C::max_radius)},
      {"number_of_basis", plain(&C::number_of_basis)},
      {"basis_type", plain(&C::basis_type)},
      {"fc_neurons", plain(&C::fc_neurons)},
      {"irreps_feature", plain(&C::irreps_feature)},
      {"irreps_head", plain(&C::irreps_head)},
      {"num_heads", plain(&C::num_heads)},
      {"rescale_degree", plain(&C::rescale_degree)},
      {"nonlinear_message", plain(&C::nonlinear_message)},
      {"irreps_mlp_mid", plain(&C::irreps_mlp_mid)},
      {"norm_layer", plain(&C::norm_layer)},
      {"norm_eps", plain(&C::norm_eps)},
      {"alpha_drop", plain(&C::alpha_drop)},
      {"proj_drop", plain(&C::proj_drop)},
      {"out_drop", plain(&C::out_drop)},
      {"drop_path_rate", plain(&C::drop_path_rate)},
      {"mean", optional_number(&C::mean)},
      {"std", optional_number(&C::std)},
      {"scale", optional_number(&C::scale)},
      // The official constructor takes None for "no reference energies"; eqt stores [].
      {"atomref",
       {[](C& c, const json& v, const std::string& key) {
          c.atomref = v.is_null() ? std::vector<double>() : get_checked<std::vector<double>>(v, key);
        },
        [](const C& c) { return json(c.atomref); }}},
      {"avg_num_nodes", plain(&C::avg_num_nodes)},
      {"avg_degree", plain(&C::avg_degree)},
      {"max_atom_type", plain(&C::max_atom_type)},
      {"dipole_head", plain(&C::dipole_head)},
      {"smooth_cutoff", plain(&C::smooth_cutoff)},
      {"smooth_cutoff_width", plain(&C::smooth_cutoff_width)},
  };
  return table;
}

}  // namespace

json to_json(const EquiformerConfig& config) {
  json out = json::object();
  for (const auto& [key, field] : fields()) out[key] = field.write(config);
  return out;
}

EquiformerConfig apply_json(EquiformerConfig base, const json& object, bool ignore_unknown) {
  if (!object.is_object()) fail("Equiformer config: expected a JSON object, not {}", object.dump());
  for (const auto& [key, value] : object.items()) {
    const auto found = fields().find(key);
    if (found == fields().end()) {
      if (ignore_unknown) continue;
      fail("Equiformer config: unknown key '{}'", key);
    }
    try {
      found->second.read(base, value, key);
    } catch (const Error& e) {
      fail("Equiformer config: {}", e.what());
    }
  }
  return base;
}

}  // namespace eqt::models::equiformer
