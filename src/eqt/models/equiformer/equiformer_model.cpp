#include "eqt/models/equiformer/equiformer_model.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/models/dipole.h"
#include "eqt/models/equiformer/block_settings.h"
#include "eqt/models/equiformer/edge_degree_embedding.h"
#include "eqt/models/equiformer/equiformer_steps.h"
#include "eqt/models/equiformer/node_embedding.h"
#include "eqt/models/equiformer/output_head.h"
#include "eqt/models/equiformer/transformer_block.h"
#include "eqt/models/equiformer/layers/drop.h"
#include "eqt/models/equiformer/layers/norm_factory.h"
#include "eqt/models/equiformer/layers/radial_basis.h"

namespace eqt::models::equiformer {

EquiformerModel::EquiformerModel(EquiformerConfig config, c10::ScalarType dtype) : config_(std::move(config)) {
  config_.validate();
  const so3::Irreps embedding(config_.irreps_node_embedding);
  atom_embed_ = register_module("atom_embed", std::make_shared<NodeEmbedding>(embedding, config_.max_atom_type, dtype));
  rbf_ = register_module("rbf", make_radial_basis(config_.basis_type, config_.number_of_basis,
                                                      config_.max_radius, dtype));
  edge_deg_embed_ = register_module(
      "edge_deg_embed", std::make_shared<EdgeDegreeEmbedding>(embedding, so3::Irreps(config_.irreps_sh), radial_widths(config_),
                                                              config_.avg_degree, dtype));
  auto blocks = register_module("blocks", std::make_shared<torch::nn::Module>("ModuleList"));
  for (int i = 0; i < config_.num_layers; ++i) {
    blocks_.push_back(std::make_shared<TransformerBlock>(block_settings(config_, i == config_.num_layers - 1), dtype));
    blocks->register_module(std::to_string(i), blocks_.back());
  }
  const so3::Irreps feature(config_.irreps_feature);
  norm_ = register_module("norm", make_norm(config_.norm_layer, feature, config_.norm_eps, dtype));
  out_dropout_ = register_module("out_dropout", std::make_shared<EquivariantDropout>(feature, config_.out_drop));
  head_ = register_module("head", std::make_shared<OutputHead>(feature, dtype));
  if (config_.dipole_head) charge_head_ = register_module("charge_head", std::make_shared<OutputHead>(feature, dtype));
  to(dtype);
  eval();
}

ExactSymmetries EquiformerModel::exact_symmetries() const {
  bool natural_parity = true;
  for (const auto& block : so3::Irreps(config_.irreps_sh)) natural_parity &= block.ir.p == (block.ir.l % 2 == 0 ? 1 : -1);
  return {true, natural_parity};
}

MessagePassingShape EquiformerModel::message_passing_shape() const {
  if (!config_.local_atomic_energies()) return {};
  // Blocks but the last keep irreps_node_embedding; the last block's output is not exchanged.
  return {config_.num_layers + 1, so3::Irreps(config_.irreps_node_embedding).dim()};
}

std::unique_ptr<MessagePassing> EquiformerModel::message_passing(const data::Graph& graph,
                                                                 const at::Tensor& edge_vectors, int64_t) {
  if (message_passing_shape().steps == 0) return nullptr;
  return std::make_unique<EquiformerSteps>(*this, graph, edge_vectors);
}

at::Tensor EquiformerModel::type_index(const at::Tensor& species) const {
  if (config_.species_map == SpeciesMap::AtomicNumber) return species;
  // The official QM9 model's table: H, C, N, O, F -> 0..4; anything else is unsupported (-1).
  const at::Tensor table = at::tensor(std::vector<int64_t>{-1, 0, -1, -1, -1, -1, 1, 2, 3, 4}, at::kLong);
  if (species.numel() > 0 && (species.min().item<int64_t>() < 0 || species.max().item<int64_t>() > 9)) {
    fail("Equiformer (QM9 species map): only H, C, N, O, F are supported");
  }
  return table.to(species.device()).index_select(0, species);
}

EdgeInputs EquiformerModel::edge_inputs(const data::Graph& graph, const at::Tensor& vectors) {
  return make_edge_inputs(config_, *rbf_, graph, vectors);
}

at::Tensor EquiformerModel::embed(const data::Graph& graph, const EdgeInputs& edges) {
  return atom_embed_->forward(type_index(graph.species), graph.positions.scalar_type()) +
         edge_deg_embed_->forward(edges);
}

at::Tensor EquiformerModel::head_features(const at::Tensor& x, const at::Tensor& batch) {
  return out_dropout_->forward(norm_->forward(x, batch));
}

at::Tensor EquiformerModel::per_atom_output(const at::Tensor& features) {
  at::Tensor per_atom = head_->forward(features) / std::sqrt(config_.avg_num_nodes);
  if (config_.scale) per_atom = per_atom * *config_.scale;
  return per_atom;
}

Outputs EquiformerModel::forward(const data::Graph& graph) {
  const EdgeInputs edges = edge_inputs(graph, graph.edge_vectors());
  at::Tensor x = embed(graph, edges);
  for (const auto& block : blocks_) x = block->forward(x, edges);
  x = head_features(x, edges.batch);
  const at::Tensor per_atom = per_atom_output(x);
  const at::Tensor raw = at::zeros({graph.num_structures()}, per_atom.options()).index_add(0, graph.batch, per_atom);
  const at::Tensor atomic = atomic_energies(per_atom, graph);
  at::Tensor energy = at::zeros_like(raw).index_add(0, graph.batch, atomic);
  if (config_.mean) energy = energy + *config_.mean;
  Outputs out{{"energy_raw", raw}, {"energy", energy}, {"atomic_energies", atomic}};
  if (charge_head_) add_dipole_outputs(out, charge_head_->forward(x), graph);
  return out;
}

at::Tensor EquiformerModel::atomic_energies(const at::Tensor& per_atom_raw, const data::Graph& graph) const {
  at::Tensor atomic = per_atom_raw;
  if (config_.std) atomic = atomic * *config_.std;
  if (!config_.atomref.empty()) {
    const at::Tensor table = at::tensor(config_.atomref, at::kDouble).to(atomic.options());
    if (graph.species.numel() > 0 && graph.species.max().item<int64_t>() >= table.size(0)) {
      fail("Equiformer: atomref has no entry for Z = {}", graph.species.max().item<int64_t>());
    }
    atomic = atomic + table.index_select(0, graph.species);
  }
  return atomic;
}

}  // namespace eqt::models::equiformer
