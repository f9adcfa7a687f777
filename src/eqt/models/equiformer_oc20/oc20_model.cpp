#include "eqt/models/equiformer_oc20/oc20_model.h"

#include "eqt/models/equiformer/block_settings.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/dot_product_attention.h"
#include "eqt/models/equiformer/edge_degree_embedding.h"
#include "eqt/models/equiformer/graph_attention.h"
#include "eqt/models/equiformer/layers/drop.h"
#include "eqt/models/equiformer/layers/norm_factory.h"
#include "eqt/models/equiformer/layers/radial_basis.h"
#include "eqt/models/equiformer/node_embedding.h"
#include "eqt/models/equiformer/transformer_block.h"
#include "eqt/models/equiformer_oc20/oc20_settings.h"
#include "eqt/models/equiformer_oc20/scalar_energy_head.h"
#include "eqt/models/output_names.h"

namespace eqt::models::equiformer_oc20 {

// The shared Equiformer layers.
using equiformer::AttentionSettings;
using equiformer::AttentionType;
using equiformer::DotProductAttention;
using equiformer::EdgeDegreeEmbedding;
using equiformer::EdgeInputs;
using equiformer::EquiformerConfig;
using equiformer::EquivariantScalarsDropout;
using equiformer::GraphAttention;
using equiformer::NodeEmbedding;
using equiformer::TransformerBlock;

Oc20EquiformerModel::Oc20EquiformerModel(Oc20Config config, c10::ScalarType dtype) : config_(std::move(config)) {
  config_.validate();
  const EquiformerConfig& c = config_.network;
  const so3::Irreps embedding(c.irreps_node_embedding);
  atom_embed_ = register_module("atom_embed", std::make_shared<NodeEmbedding>(embedding, c.max_atom_type, dtype));
  tag_embed_ = register_module("tag_embed", std::make_shared<NodeEmbedding>(embedding, config_.num_tags, dtype));
  rbf_ = register_module("rbf", equiformer::make_radial_basis(c.basis_type, c.number_of_basis, c.max_radius, dtype));
  edge_deg_embed_ = register_module(
      "edge_deg_embed", std::make_shared<EdgeDegreeEmbedding>(embedding, so3::Irreps(c.irreps_sh),
                                                              equiformer::radial_widths(c), c.avg_degree, dtype));
  auto blocks = register_module("blocks", std::make_shared<torch::nn::Module>("ModuleList"));
  for (int i = 0; i < c.num_layers; ++i) {
    blocks_.push_back(std::make_shared<TransformerBlock>(equiformer::block_settings(c, i == c.num_layers - 1), dtype));
    blocks->register_module(std::to_string(i), blocks_.back());
  }
  const so3::Irreps feature(c.irreps_feature);
  norm_ = register_module("norm", equiformer::make_norm(c.norm_layer, feature, c.norm_eps, dtype));
  out_dropout_ = register_module("out_dropout", std::make_shared<EquivariantScalarsDropout>(feature, c.out_drop));
  head_ = register_module("head", std::make_shared<ScalarEnergyHead>(feature, dtype));
  if (config_.use_auxiliary_task) {
    const AttentionSettings s = auxiliary_head_settings(config_);
    if (c.attention == AttentionType::DotProduct) {
      auxiliary_head_ = register_module("auxiliary_head", std::make_shared<DotProductAttention>(s, dtype));
    } else {
      auxiliary_head_ = register_module("auxiliary_head", std::make_shared<GraphAttention>(s, dtype));
    }
  }
  to(dtype);
  eval();
}

ExactSymmetries Oc20EquiformerModel::exact_symmetries() const {
  bool natural_parity = true;
  for (const auto& block : so3::Irreps(config_.network.irreps_sh)) {
    natural_parity &= block.ir.p == (block.ir.l % 2 == 0 ? 1 : -1);
  }
  return {true, natural_parity};
}

EdgeInputs Oc20EquiformerModel::edge_inputs(const data::Graph& graph) {
  return equiformer::make_edge_inputs(config_.network, *rbf_, graph, graph.edge_vectors());
}

at::Tensor Oc20EquiformerModel::checked_tags(const data::Graph& graph) const {
  if (!graph.tags.defined()) {
    fail("Equiformer OC20: the structures have no per-atom \"tags\" (0 sub-surface, 1 surface, 2 adsorbate)");
  }
  if (graph.tags.numel() != graph.num_atoms()) fail("Equiformer OC20: {} tags for {} atoms", graph.tags.numel(), graph.num_atoms());
  if (graph.tags.numel() > 0) {
    const int64_t lo = graph.tags.min().item<int64_t>(), hi = graph.tags.max().item<int64_t>();
    if (lo < 0 || hi >= config_.num_tags) {
      fail("Equiformer OC20: tag {} outside [0, {})", lo < 0 ? lo : hi, config_.num_tags);
    }
  }
  return graph.tags;
}

Outputs Oc20EquiformerModel::forward(const data::Graph& graph) {
  const EquiformerConfig& c = config_.network;
  const at::Tensor tags = checked_tags(graph);
  const EdgeInputs edges = edge_inputs(graph);
  const auto dtype = graph.positions.scalar_type();
  at::Tensor x = atom_embed_->forward(graph.species, dtype) + tag_embed_->forward(tags, dtype) +
                 edge_deg_embed_->forward(edges);
  for (const auto& block : blocks_) x = block->forward(x, edges);
  const at::Tensor features = norm_->forward(x, edges.batch);
  at::Tensor per_atom = head_->forward(out_dropout_->forward(features)) / std::sqrt(c.avg_num_nodes);
  const at::Tensor raw = at::zeros({graph.num_structures()}, per_atom.options()).index_add(0, graph.batch, per_atom);
  const at::Tensor atomic = c.std ? per_atom * *c.std : per_atom;
  at::Tensor energy = at::zeros_like(raw).index_add(0, graph.batch, atomic);
  if (c.mean) energy = energy + *c.mean;
  Outputs out{{"energy_raw", raw}, {"energy", energy}, {"atomic_energies", atomic}};
  // The official auxiliary head reads the normalised features before the output dropout.
  if (auxiliary_head_) add_auxiliary_outputs(out, features, edges, graph, tags);
  return out;
}

void Oc20EquiformerModel::add_auxiliary_outputs(Outputs& out, const at::Tensor& features, const EdgeInputs& edges,
                                                const data::Graph& graph, const at::Tensor& tags) {
  const at::Tensor aux = auxiliary_head_->forward(features, edges);
  // Fixed (tag 0) atoms are not moved: OC20 neither trains nor scores their displacement.
  const at::Tensor movable = tags.gt(0).unsqueeze(1).to(aux.scalar_type());
  out[kAuxPositionsOutput] = aux;
  out[kRelaxedPositionsOutput] = graph.positions + aux * config_.positions_std * movable;
}

}  // namespace eqt::models::equiformer_oc20
