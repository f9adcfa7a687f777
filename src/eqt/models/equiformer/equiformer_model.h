#pragma once
// Equiformer (Liao & Smidt, ICLR 2023) energy model, equivalent to the official
// GraphAttentionTransformer(MD17) and DotProductAttentionTransformerMD17 (attention head off).
//
// Outputs: "energy_raw" [B] = the network output (sum over atoms / sqrt(avg_num_nodes), times
// `scale` if set), what the official forward returns; "atomic_energies" [N] = each atom's share
// of energy_raw times std, plus atomref[Z]; "energy" [B] = their sum + mean (std 1, mean 0, no
// atomref when unset), the physical energy. The mean is a per-structure constant and belongs to no
// atom: energy - sum(atomic_energies) recovers it. Forces come from potential.h's evaluate.
// With config.dipole_head, a second OutputHead ("charge_head") on the same final features gives
// "charges" [N] and "dipole" [B, 3] (models/dipole.h); the energy normalisation never touches them.
//
// State dict: the official names (atom_embed.*, rbf.*, edge_deg_embed.*, blocks.<i>.*, norm.*,
// head.*), so official checkpoints load through load_state_dict (models/state_dict.h).
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "eqt/models/equiformer/config.h"
#include "eqt/models/equiformer/edge_inputs.h"
#include "eqt/models/model.h"

namespace eqt::models::equiformer {

class RadialBasis;
class EquivariantNorm;
class EquivariantDropout;

class NodeEmbedding;
class EdgeDegreeEmbedding;
class TransformerBlock;
class OutputHead;

class EquiformerModel : public Model {
 public:
  explicit EquiformerModel(EquiformerConfig config, c10::ScalarType dtype = at::kFloat);

  Outputs forward(const data::Graph& graph) override;
  double cutoff() const override { return config_.max_radius; }
  std::string kind() const override { return "equiformer"; }
  // Inversion too when every spherical harmonic has its natural parity (-1)^l, e.g. 1x0e+1x1o+1x2e;
  // the published irreps_sh 1x0e+1x1e+1x2e treats edge vectors as pseudovectors (SE(3) only).
  ExactSymmetries exact_symmetries() const override;
  // Steps: the embedding (atom + edge-degree), then one per block (equiformer_steps.h); none with
  // a graph or instance norm, whose atomic energies are not local.
  MessagePassingShape message_passing_shape() const override;
  // Every row is computed (num_centres is not needed: a row costs its edges only).
  std::unique_ptr<MessagePassing> message_passing(const data::Graph& graph, const at::Tensor& edge_vectors,
                                                  int64_t num_centres) override;

  const EquiformerConfig& config() const { return config_; }

 private:
  friend class EquiformerSteps;
  EdgeInputs edge_inputs(const data::Graph& graph, const at::Tensor& vectors);
  // Node features before the first block: atom embedding + edge-degree embedding.
  at::Tensor embed(const data::Graph& graph, const EdgeInputs& edges);
  // The last block's output through the output norm and dropout: what the heads read.
  at::Tensor head_features(const at::Tensor& x, const at::Tensor& batch);
  // Head features -> the network's per-atom output (head, 1/sqrt(avg_num_nodes), scale).
  at::Tensor per_atom_output(const at::Tensor& features);
  at::Tensor type_index(const at::Tensor& species) const;
  // Per-atom network output [N] -> atomic energies [N] with std and atomref of the config.
  at::Tensor atomic_energies(const at::Tensor& per_atom_raw, const data::Graph& graph) const;

  EquiformerConfig config_;
  std::shared_ptr<NodeEmbedding> atom_embed_;
  std::shared_ptr<RadialBasis> rbf_;
  std::shared_ptr<EdgeDegreeEmbedding> edge_deg_embed_;
  std::vector<std::shared_ptr<TransformerBlock>> blocks_;
  std::shared_ptr<EquivariantNorm> norm_;
  std::shared_ptr<EquivariantDropout> out_dropout_;
  std::shared_ptr<OutputHead> head_;
  std::shared_ptr<OutputHead> charge_head_;  // null without config.dipole_head
};

}  // namespace eqt::models::equiformer
