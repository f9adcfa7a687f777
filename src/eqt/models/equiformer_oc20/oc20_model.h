#pragma once
// Equiformer's OC20 variant (Liao & Smidt 2023, section 5.2): the official
// GraphAttentionTransformerOC20 / DotProductAttentionTransformerOC20 with use_attention_head off.
// It differs from the MD17 model (equiformer/equiformer_model.h) in its inputs and heads:
//  * node features = atom embedding (Z, 84 types) + tag embedding (graph.tags, 3 types) +
//    edge-degree embedding; a Gaussian radial basis; graphs built with the OC20 rule
//    (data/slab_neighbour_list.h: in-plane images, at most max_neighbours per centre);
//  * the IS2RE head reads only the scalar part of the final features;
//  * the IS2RS auxiliary head, one attention layer (the blocks' kind) from the normalised final
//    features to one vector per atom.
//
// Outputs: "energy_raw" [B] = the network output (what the official forward returns first);
// "energy" [B] = energy_raw * std + mean, the predicted relaxed energy in eV (std 1, mean 0 when
// unset); "atomic_energies" [N] = each atom's share of energy_raw times std. With the auxiliary
// task: "aux_pos" [N, 3], the raw head output (the official second output), and
// "relaxed_positions" [N, 3] = positions + aux_pos * positions_std for atoms with tag > 0, the
// input positions for the fixed sub-surface atoms (tag 0).
//
// State dict: the official names (atom_embed.*, tag_embed.*, rbf.*, edge_deg_embed.*,
// blocks.<i>.*, norm.*, head.*, auxiliary_head.*).
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "eqt/models/equiformer_oc20/oc20_config.h"
#include "eqt/models/equiformer/edge_inputs.h"
#include "eqt/models/model.h"

namespace eqt::models::equiformer {
class RadialBasis;
class EquivariantNorm;
class EquivariantScalarsDropout;
class NodeEmbedding;
class EdgeDegreeEmbedding;
class TransformerBlock;
class NodeAttention;
}  // namespace eqt::models::equiformer

namespace eqt::models::equiformer_oc20 {

class ScalarEnergyHead;

class Oc20EquiformerModel : public Model {
 public:
  explicit Oc20EquiformerModel(Oc20Config config, c10::ScalarType dtype = at::kFloat);

  // graph.tags is required (data::collate reads the "tags" array of every structure).
  Outputs forward(const data::Graph& graph) override;
  double cutoff() const override { return config_.network.max_radius; }
  // The OC20 graph the official model was trained on: radius max_radius, max_neighbours nearest.
  data::GraphRule graph_rule() const override {
    return data::GraphRule::slab(config_.network.max_radius, config_.max_neighbours);
  }
  std::string kind() const override { return "equiformer_oc20"; }
  ExactSymmetries exact_symmetries() const override;

  const Oc20Config& config() const { return config_; }

 private:
  equiformer::EdgeInputs edge_inputs(const data::Graph& graph);
  at::Tensor checked_tags(const data::Graph& graph) const;
  void add_auxiliary_outputs(Outputs& out, const at::Tensor& features, const equiformer::EdgeInputs& edges,
                             const data::Graph& graph, const at::Tensor& tags);

  Oc20Config config_;
  std::shared_ptr<equiformer::NodeEmbedding> atom_embed_, tag_embed_;
  std::shared_ptr<equiformer::RadialBasis> rbf_;
  std::shared_ptr<equiformer::EdgeDegreeEmbedding> edge_deg_embed_;
  std::vector<std::shared_ptr<equiformer::TransformerBlock>> blocks_;
  std::shared_ptr<equiformer::EquivariantNorm> norm_;
  std::shared_ptr<equiformer::EquivariantScalarsDropout> out_dropout_;
  std::shared_ptr<ScalarEnergyHead> head_;
  std::shared_ptr<equiformer::NodeAttention> auxiliary_head_;  // null without the auxiliary task
};

}  // namespace eqt::models::equiformer_oc20
