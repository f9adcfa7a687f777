#include "eqt/models/equiformer/config.h"

#include "eqt/core/error.h"
#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer {

namespace {

template <typename T>
void read(const nlohmann::json& kwargs, const char* key, T& field) {
  if (kwargs.contains(key) && !kwargs.at(key).is_null()) field = kwargs.at(key).get<T>();
}

void read_optional(const nlohmann::json& kwargs, const char* key, c10::optional<double>& field) {
  if (!kwargs.contains(key)) return;
  if (kwargs.at(key).is_null()) {
    field = c10::nullopt;
  } else {
    field = kwargs.at(key).get<double>();
  }
}

}  // namespace

void EquiformerConfig::validate() const {
  if (so3::Irreps(irreps_node_attr) != so3::Irreps("1x0e")) {
    fail("Equiformer: irreps_node_attr must be 1x0e (the model feeds ones), not {}", irreps_node_attr);
  }
  // A model file's sizes decide what is allocated before its weights are read, so a hostile or
  // mistaken one must fail here, not in the allocator (fuzz/fuzz_model_directory; 10^8 radial basis
  // functions took 14 GB). The papers' models use 6 layers, 4-8 heads and 32-128 basis functions.
  constexpr int64_t kMaxLayers = 256, kMaxHeads = 1024, kMaxBasis = 4096, kMaxNeurons = 65536, kMaxAtomType = 1024;
  if (num_layers < 1 || num_layers > kMaxLayers) fail("Equiformer: num_layers must be in 1..{}, not {}", kMaxLayers, num_layers);
  if (num_heads < 1 || num_heads > kMaxHeads) fail("Equiformer: num_heads must be in 1..{}, not {}", kMaxHeads, num_heads);
  if (!(max_radius > 0)) fail("Equiformer: max_radius must be positive, not {}", max_radius);
  if (number_of_basis < 1 || number_of_basis > kMaxBasis) {
    fail("Equiformer: number_of_basis must be in 1..{}, not {}", kMaxBasis, number_of_basis);
  }
  for (const auto neurons : fc_neurons) {
    if (neurons < 1 || neurons > kMaxNeurons) fail("Equiformer: fc_neurons entries must be in 1..{}, not {}", kMaxNeurons, neurons);
  }
  if (max_atom_type > kMaxAtomType) fail("Equiformer: max_atom_type must be at most {}, not {}", kMaxAtomType, max_atom_type);
  if (attention == AttentionType::DotProduct && nonlinear_message) {
    fail("Equiformer: nonlinear_message applies to graph attention only");
  }
  if (avg_num_nodes <= 0 || avg_degree <= 0) fail("Equiformer: avg_num_nodes / avg_degree must be positive");
  if (max_atom_type < 1) fail("Equiformer: max_atom_type must be >= 1");
  if (std && *std == 0.0) fail("Equiformer: std must not be 0");
  if (!(norm_eps > 0 && norm_eps <= 1e3)) fail("Equiformer: norm_eps must be in (0, 1000], not {}", norm_eps);
  if (smooth_cutoff && !(smooth_cutoff_width > 0 && smooth_cutoff_width <= max_radius)) {
    fail("Equiformer: smooth_cutoff_width must be in (0, max_radius = {}] A, not {}", max_radius, smooth_cutoff_width);
  }
  // Parse every irreps string once, so bad text fails here with its field name.
  const std::pair<const char*, const std::string*> fields[] = {
      {"irreps_node_embedding", &irreps_node_embedding}, {"irreps_sh", &irreps_sh},
      {"irreps_feature", &irreps_feature}, {"irreps_head", &irreps_head}, {"irreps_mlp_mid", &irreps_mlp_mid}};
  // Bounds on sizes, as above: features far wider than any published model's (256x0e+128x1e+
  // 64x2e has dimension 960), and degrees for which the Wigner 3j tables stay small.
  constexpr int64_t kMaxIrrepsDim = 16384;
  constexpr int kMaxDegree = 10;
  for (const auto& [name, text] : fields) {
    so3::Irreps irreps;
    try {
      irreps = so3::Irreps(*text);
    } catch (const std::exception& e) {
      fail("Equiformer: {} = '{}' is not valid irreps: {}", name, *text, e.what());
    }
    if (irreps.dim() > kMaxIrrepsDim) fail("Equiformer: {} = '{}' has dimension {}, beyond eqt's limit of {}", name, *text, irreps.dim(), kMaxIrrepsDim);
    if (irreps.size() > 0 && irreps.lmax() > kMaxDegree) fail("Equiformer: {} = '{}' has degree {}, beyond eqt's limit of {}", name, *text, irreps.lmax(), kMaxDegree);
  }
}

EquiformerConfig config_from_official_json(const nlohmann::json& config) {
  EquiformerConfig c;
  c.smooth_cutoff = false;  // the published model, for 1e-10 parity with the official outputs
  const std::string cls = config.value("class", std::string());
  if (cls.find("DotProductAttentionTransformer") != std::string::npos) {
    c.attention = AttentionType::DotProduct;
  } else if (cls.find("GraphAttentionTransformer") == std::string::npos) {
    fail("Equiformer config: unknown class '{}'", cls);
  }
  const bool md17 = cls.find("MD17") != std::string::npos;
  c.irreps_mlp_mid = "128x0e+64x1e+32x2e";
  c.irreps_head = "32x0e+16x1o+8x2e";  // the constructors' default (rarely used)
  if (md17) {
    c.max_atom_type = 64;
  } else {
    c.max_atom_type = 5;
    c.species_map = SpeciesMap::Qm9;
  }
  const nlohmann::json& k = config.at("constructor_kwargs");
  if (k.value("use_attn_head", false)) fail("Equiformer config: use_attn_head=True is not supported");
  read(k, "irreps_node_embedding", c.irreps_node_embedding);
  read(k, "num_layers", c.num_layers);
  read(k, "irreps_node_attr", c.irreps_node_attr);
  read(k, "irreps_sh", c.irreps_sh);
  read(k, "max_radius", c.max_radius);
  read(k, "number_of_basis", c.number_of_basis);
  read(k, "basis_type", c.basis_type);
  read(k, "fc_neurons", c.fc_neurons);
  read(k, "irreps_feature", c.irreps_feature);
  read(k, "irreps_head", c.irreps_head);
  read(k, "num_heads", c.num_heads);
  read(k, "irreps_pre_attn", c.irreps_pre_attn);
  read(k, "rescale_degree", c.rescale_degree);
  read(k, "nonlinear_message", c.nonlinear_message);
  read(k, "irreps_mlp_mid", c.irreps_mlp_mid);
  read(k, "norm_layer", c.norm_layer);
  read(k, "alpha_drop", c.alpha_drop);
  read(k, "proj_drop", c.proj_drop);
  read(k, "out_drop", c.out_drop);
  read(k, "drop_path_rate", c.drop_path_rate);
  read_optional(k, "mean", c.mean);
  read_optional(k, "std", c.std);
  read_optional(k, "scale", c.scale);
  read(k, "atomref", c.atomref);
  if (config.contains("module_constants")) {
    const auto& m = config.at("module_constants");
    read(m, "_AVG_NUM_NODES", c.avg_num_nodes);
    read(m, "_AVG_DEGREE", c.avg_degree);
    read(m, "_MAX_ATOM_TYPE", c.max_atom_type);
  }
  c.validate();
  return c;
}

}  // namespace eqt::models::equiformer
