#pragma once
// PET, the Point Edge Transformer (Pozdnyakov & Ceriotti, NeurIPS 2023), as the official
// spozdn/pet model computes it: each atom's neighbour tokens (relative vectors, species,
// messages) are mixed by a cutoff-weighted transformer; messages pass between the two tokens of
// every bond; every GNN layer adds atomic energies from its central token (or pooled tokens) and,
// with USE_BOND_ENERGIES, from every bond token. Not rotation invariant by design (ECSE makes it so).
//
// Outputs: "atomic_energies" [N] and "energy" [B], through the model's EnergyNormalisation (none by
// default, as in the official PET: energy = sum of the atomic outputs, no self-contributions).
// Parameter names are the official PET.state_dict() names (state_dict.h loads official files).
// With dipole_head (eqt's extension, off in official models), "charge_heads" (one Head per GNN
// layer, on the same central-token / pooled features as the energy heads, no bond part) give
// per-atom charges summed over layers, and the outputs "charges" [N] and "dipole" [B, 3]
// (models/dipole.h). PET is not rotation invariant, so neither are its charges; ECSE fixes that
// (its dipole is rotated back as a vector).
#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "eqt/models/energy_normalisation.h"
#include "eqt/models/model.h"
#include "eqt/models/pet/gnn_layer.h"
#include "eqt/models/pet/head.h"
#include "eqt/models/pet/hypers.h"
#include "eqt/models/pet/species_embedding.h"
#include "eqt/models/pet/token_layout.h"

namespace eqt::models::pet {

class PetModel : public Model {
 public:
  // all_species: atomic numbers in the official order (their index is the species index).
  PetModel(PetHypers hypers, std::vector<int64_t> all_species, c10::ScalarType dtype = c10::kFloat,
           bool dipole_head = false);

  Outputs forward(const data::Graph& graph) override;
  double cutoff() const override { return hypers_.r_cut; }
  std::string kind() const override { return "pet"; }
  // PET learns rotational equivariance (augmentation); ECSE around it makes it exact.
  ExactSymmetries exact_symmetries() const override { return {false, false}; }
  bool prefers_one_thread(const data::Graph& graph) const override;
  // One step per GNN layer (pet_steps.h); rows of messages per edge, exchanged in chunks.
  MessagePassingShape message_passing_shape() const override;
  std::unique_ptr<MessagePassing> message_passing(const data::Graph& graph, const at::Tensor& edge_vectors,
                                                  int64_t num_centres) override;

  const PetHypers& hypers() const { return hypers_; }
  const std::vector<int64_t>& all_species() const { return all_species_; }
  bool has_dipole_head() const { return !charge_heads_.empty(); }
  const EnergyNormalisation& normalisation() const { return normalisation_; }
  void set_normalisation(EnergyNormalisation normalisation) { normalisation_ = std::move(normalisation); }
  // Atomic numbers -> species indices; throws eqt::Error for a species the model does not know.
  at::Tensor species_index(const at::Tensor& atomic_numbers) const;

 private:
  using Heads = std::vector<std::shared_ptr<Head>>;  // one shared, or one per central species

  void build_gnn_layers(c10::ScalarType dtype);
  Heads build_heads(torch::nn::Module& list, int64_t layer, c10::ScalarType dtype);
  friend class PetSteps;
  // Layer 0's inputs of the layout's rows (centres 0..layout.num_atoms-1): edge_vectors [E, 3],
  // species [N] atomic numbers of all atoms, neighbours [E] the neighbour atom of each edge.
  LayerInputs first_layer_inputs(const at::Tensor& edge_vectors, const at::Tensor& species,
                                 const at::Tensor& neighbours, const TokenLayout& layout) const;
  LayerOutputs run_layer(int64_t layer, const LayerInputs& inputs) const;
  at::Tensor apply_head(const Heads& heads, const at::Tensor& features, const at::Tensor& central) const;
  // What the heads of a GNN layer read: its central token, or its pooled messages.
  at::Tensor head_features(const LayerOutputs& outputs, const LayerInputs& inputs) const;
  at::Tensor layer_energies(int64_t layer, const at::Tensor& features, const LayerOutputs& outputs,
                            const LayerInputs& inputs, const TokenLayout& layout) const;

  PetHypers hypers_;
  std::vector<int64_t> all_species_;
  EnergyNormalisation normalisation_;
  int64_t n_species_;
  at::Tensor species_table_;  // int64 [max Z + 1], species index or -1
  std::shared_ptr<SpeciesEmbedding> embedding_;
  std::vector<std::vector<std::shared_ptr<GnnLayer>>> gnn_layers_;
  std::vector<Heads> heads_, bond_heads_, charge_heads_;
};

}  // namespace eqt::models::pet
