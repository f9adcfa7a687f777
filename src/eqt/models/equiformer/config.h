#pragma once
// Every hyper-parameter of an Equiformer (v1) energy model: the constructor arguments of the
// official GraphAttentionTransformer(MD17) / DotProductAttentionTransformerMD17 plus the module
// constants they read (_AVG_NUM_NODES, _AVG_DEGREE, _MAX_ATOM_TYPE) and how atomic numbers become
// embedding indices (MD17 models: Z itself; QM9 models: H,C,N,O,F -> 0..4).
#include <c10/util/Optional.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace YAML {
class Node;
}

namespace eqt::models::equiformer {

enum class AttentionType { Graph, DotProduct };  // MLP attention (GAT) | dot-product attention
enum class SpeciesMap { AtomicNumber, Qm9 };

struct EquiformerConfig {
  AttentionType attention = AttentionType::Graph;
  std::string irreps_node_embedding = "128x0e+64x1e+32x2e";
  int num_layers = 6;
  std::string irreps_node_attr = "1x0e";  // Equiformer feeds ones; only 1x0e is supported
  std::string irreps_sh = "1x0e+1x1e+1x2e";
  double max_radius = 5.0;
  int64_t number_of_basis = 128;
  std::string basis_type = "gaussian";  // gaussian | exp | bessel
  std::vector<int64_t> fc_neurons = {64, 64};  // hidden widths of the radial profiles
  std::string irreps_feature = "512x0e";
  std::string irreps_head = "32x0e+16x1e+8x2e";
  int num_heads = 4;
  std::string irreps_pre_attn;  // empty = irreps_node_embedding
  bool rescale_degree = false;
  bool nonlinear_message = false;  // graph attention only
  std::string irreps_mlp_mid = "128x0e+64x1e+32x2e";
  std::string norm_layer = "layer";
  // The norms' epsilon: an l > 0 block is divided by sqrt(mean square + norm_eps). The official
  // 1e-5 makes the energy nearly singular where an atom's l > 0 features all vanish, i.e. at a
  // centrosymmetric site such as a perfect crystal's (docs/md.md, "Equiformer at symmetric sites").
  double norm_eps = 1e-5;
  double alpha_drop = 0.2, proj_drop = 0.0, out_drop = 0.0, drop_path_rate = 0.0;
  // Target normalisation (applied outside the raw network output): E = raw*std + mean + sum atomref[Z].
  c10::optional<double> mean, std, scale;
  std::vector<double> atomref;  // indexed by Z; empty = none
  double avg_num_nodes = 18.03065905448718;
  double avg_degree = 15.57930850982666;
  int64_t max_atom_type = 64;
  SpeciesMap species_map = SpeciesMap::AtomicNumber;
  // eqt's extension: a second head on the final scalar features predicts per-atom charges, giving
  // the "charges" and "dipole" outputs (models/dipole.h). Set by training when it trains dipoles.
  bool dipole_head = false;
  // eqt's extension for MD (docs/md.md, "Energy conservation"): every edge's contribution to every
  // sum over neighbours (attention, its softmax, the degree rescaling, the edge-degree embedding) is
  // weighted by a cosine switch that is 1 up to max_radius - smooth_cutoff_width and falls to 0, with
  // zero slope, at max_radius, so energies and forces are continuous when atoms cross the cutoff.
  // On for every model eqt builds; off (the published model, whose energy jumps at the cutoff) for
  // official exports and for model.json files written before the option existed.
  bool smooth_cutoff = true;
  double smooth_cutoff_width = 1.0;  // Angstrom, in (0, max_radius]

  // Throws eqt::Error naming the first inconsistent field.
  void validate() const;
  // False with a graph or instance norm, which normalise over the whole structure: an atom's
  // energy then depends on every atom, however far.
  bool local_atomic_energies() const { return norm_layer != "graph" && norm_layer != "instance"; }
};

// From an official reference config.json: {"class": ..., "constructor_kwargs": {...},
// "module_constants": {...}}. The class picks the attention type; kwargs absent from the file keep
// the official defaults of that class.
EquiformerConfig config_from_official_json(const nlohmann::json& config);

// From a YAML mapping with the same keys as the official constructor (plus "attention":
// graph|dot_product, "avg_num_nodes", "avg_degree", "max_atom_type", "species_map": z|qm9).
// Unknown keys are errors, so typos do not silently fall back to defaults.
EquiformerConfig config_from_yaml(const YAML::Node& node);

}  // namespace eqt::models::equiformer
