#include "eqt/models/pet/pet_model.h"

#include <algorithm>
#include <set>
#include <utility>

#include "eqt/core/error.h"
#include "eqt/models/dipole.h"
#include "eqt/models/pet/pet_steps.h"
#include "eqt/models/pet/species_dispatch.h"
#include "eqt/nn/cutoff.h"

namespace eqt::models::pet {
namespace {
// The official cutoff multipliers use r = sqrt(|x|^2 + 1e-16).
constexpr double kMultiplierLengthEps = 1e-16;

std::shared_ptr<torch::nn::Module> container(torch::nn::Module& parent, const std::string& name,
                                             const std::string& type) {
  return parent.register_module(name, std::make_shared<torch::nn::Module>(type));
}

at::Tensor make_species_table(const std::vector<int64_t>& all_species) {
  if (all_species.empty()) fail("PET: all_species is empty");
  if (std::set<int64_t>(all_species.begin(), all_species.end()).size() != all_species.size()) {
    fail("PET: all_species lists a species twice");
  }
  const int64_t largest = *std::max_element(all_species.begin(), all_species.end());
  if (*std::min_element(all_species.begin(), all_species.end()) < 1 || largest > 118) {
    fail("PET: all_species must be atomic numbers in 1..118");
  }
  at::Tensor table = at::full({largest + 1}, -1, at::kLong);
  for (std::size_t s = 0; s < all_species.size(); ++s) table[all_species[s]] = static_cast<int64_t>(s);
  return table;
}
}  // namespace

PetModel::PetModel(PetHypers hypers, std::vector<int64_t> all_species, c10::ScalarType dtype, bool dipole_head)
    : hypers_(std::move(hypers)),
      all_species_(std::move(all_species)),
      n_species_(static_cast<int64_t>(all_species_.size())),
      species_table_(make_species_table(all_species_)) {
  embedding_ = register_module("embedding", std::make_shared<SpeciesEmbedding>(n_species_ + 1, hypers_.d_model, dtype));
  build_gnn_layers(dtype);
  // The official aliases of these heads (central_tokens_predictors.k.head, ...) are not
  // registered: the state dict holds every tensor once.
  const auto heads = container(*this, "heads", "ModuleList");
  for (int64_t k = 0; k < hypers_.n_gnn_layers; ++k) heads_.push_back(build_heads(*heads, k, dtype));
  if (hypers_.use_bond_energies) {
    const auto bond_heads = container(*this, "bond_heads", "ModuleList");
    for (int64_t k = 0; k < hypers_.n_gnn_layers; ++k) bond_heads_.push_back(build_heads(*bond_heads, k, dtype));
  }
  if (dipole_head) {
    const auto charge_heads = container(*this, "charge_heads", "ModuleList");
    for (int64_t k = 0; k < hypers_.n_gnn_layers; ++k) charge_heads_.push_back(build_heads(*charge_heads, k, dtype));
  }
}

void PetModel::build_gnn_layers(c10::ScalarType dtype) {
  auto list = container(*this, "gnn_layers", "ModuleList");
  for (int64_t k = 0; k < hypers_.n_gnn_layers; ++k) {
    const std::string name = std::to_string(k);
    if (!hypers_.transformers_central_specific) {
      gnn_layers_.push_back({list->register_module(name, std::make_shared<GnnLayer>(hypers_, k, n_species_, dtype))});
      continue;
    }
    // Official CentralSpecificModel: a ModuleDict "models" keyed by the species index.
    auto models = container(*container(*list, name, "CentralSpecificModel"), "models", "ModuleDict");
    gnn_layers_.emplace_back();
    for (int64_t s = 0; s < n_species_; ++s) {
      gnn_layers_.back().push_back(
          models->register_module(std::to_string(s), std::make_shared<GnnLayer>(hypers_, k, n_species_, dtype)));
    }
  }
}

PetModel::Heads PetModel::build_heads(torch::nn::Module& list, int64_t layer, c10::ScalarType dtype) {
  const std::string key = std::to_string(layer);
  if (!hypers_.heads_central_specific) return {list.register_module(key, std::make_shared<Head>(hypers_, dtype))};
  auto models = container(*container(list, key, "CentralSpecificModel"), "models", "ModuleDict");
  Heads heads;
  for (int64_t s = 0; s < n_species_; ++s) {
    heads.push_back(models->register_module(std::to_string(s), std::make_shared<Head>(hypers_, dtype)));
  }
  return heads;
}

at::Tensor PetModel::species_index(const at::Tensor& atomic_numbers) const {
  const at::Tensor z = atomic_numbers.to(at::kLong).cpu();
  const int64_t table_size = species_table_.size(0);
  const at::Tensor known = (z >= 0) & (z < table_size);
  const at::Tensor index = species_table_.index_select(0, z.clamp(0, table_size - 1)).masked_fill(~known, -1);
  if ((index < 0).any().item<bool>()) {
    const int64_t bad = z.masked_select(index < 0)[0].item<int64_t>();
    fail("PET: atomic number {} is not among the model's species", bad);
  }
  return index.to(atomic_numbers.device());
}

LayerInputs PetModel::first_layer_inputs(const at::Tensor& edge_vectors, const at::Tensor& species,
                                         const at::Tensor& neighbours, const TokenLayout& layout) const {
  LayerInputs inputs;
  inputs.vectors = layout.to_tokens(edge_vectors);
  const at::Tensor all_species = species_index(species);
  inputs.central_species = all_species.narrow(0, 0, layout.num_atoms);
  const at::Tensor neighbour_species = all_species.index_select(0, neighbours);
  inputs.neighbour_species = layout.to_tokens(neighbour_species, static_cast<double>(n_species_));
  inputs.messages = embedding_->forward(inputs.neighbour_species);
  inputs.message_table = embedding_->weight;
  const at::Tensor lengths = at::sqrt(inputs.vectors.square().sum(-1) + kMultiplierLengthEps);
  inputs.key_weights = nn::cosine_switch(lengths, hypers_.r_cut, hypers_.cutoff_delta).masked_fill(layout.padding, 0.0);
  return inputs;
}

LayerOutputs PetModel::run_layer(int64_t layer, const LayerInputs& inputs) const {
  const auto& models = gnn_layers_[layer];
  if (models.size() == 1) return models[0]->forward(inputs);
  const auto parts = per_central_species(inputs.central_species, n_species_, [&](int64_t s, const at::Tensor& rows) {
    const LayerOutputs out = models[s]->forward(inputs.rows(rows));
    return std::vector<at::Tensor>{out.messages, out.central_token};
  });
  return {parts[0], parts[1], at::Tensor(), at::Tensor()};
}

at::Tensor PetModel::apply_head(const Heads& heads, const at::Tensor& features, const at::Tensor& central) const {
  if (heads.size() == 1) return heads[0]->forward(features);
  return per_central_species(central, n_species_, [&](int64_t s, const at::Tensor& rows) {
    return std::vector<at::Tensor>{heads[s]->forward(features.index_select(0, rows))};
  })[0];
}

at::Tensor PetModel::head_features(const LayerOutputs& outputs, const LayerInputs& inputs) const {
  return outputs.central_token.defined() ? outputs.central_token
                                         : pool_messages(outputs.messages, inputs.key_weights, hypers_.average_pooling);
}

// Atomic energy contributions [N, 1] of one GNN layer.
at::Tensor PetModel::layer_energies(int64_t layer, const at::Tensor& features, const LayerOutputs& outputs,
                                    const LayerInputs& inputs, const TokenLayout& layout) const {
  const at::Tensor& central = inputs.central_species;
  at::Tensor energies = apply_head(heads_[layer], features, central);
  if (!hypers_.use_bond_energies) return energies;
  if (outputs.packed_messages.defined() && bond_heads_[layer].size() == 1) {
    // The head on the real bonds only (a quarter of rMD17 aspirin's grid is padding).
    const at::Tensor bonds = bond_heads_[layer][0]->forward(outputs.packed_messages);
    return energies + sum_packed_bond_energies(bonds, outputs.neighbour_index, inputs.key_weights,
                                               hypers_.average_bond_energies);
  }
  const at::Tensor bonds = apply_head(bond_heads_[layer], outputs.messages, central);
  energies = energies + sum_bond_energies(bonds, layout.padding, inputs.key_weights, hypers_.average_bond_energies);
  return energies;
}

// Below about a thousand tokens (atoms + edges) a PET pass ran faster on one thread than on two
// on a 2-core Zen 5 with OMP_WAIT_POLICY=PASSIVE (methane, 8 to 64 frames; aspirin, 1 to 8
// frames: build/bench/profile_pet_ops, docs/performance.md): each of the ~300 parallel regions
// of a pass pays a thread wake-up, which such small matrices do not earn back.
bool PetModel::prefers_one_thread(const data::Graph& graph) const {
  constexpr int64_t kParallelTokens = 1000;
  return graph.num_atoms() + graph.num_edges() < kParallelTokens;
}

MessagePassingShape PetModel::message_passing_shape() const {
  return {hypers_.n_gnn_layers, kExchangeChunkColumns, /*width_varies=*/true};
}

std::unique_ptr<MessagePassing> PetModel::message_passing(const data::Graph& graph, const at::Tensor& edge_vectors,
                                                          int64_t num_centres) {
  return std::make_unique<PetSteps>(*this, graph, edge_vectors, num_centres);
}

Outputs PetModel::forward(const data::Graph& graph) {
  if (graph.positions.scalar_type() != embedding_->weight.scalar_type()) {
    fail("PET: graph positions are {} but the model is {}", c10::toString(graph.positions.scalar_type()),
         c10::toString(embedding_->weight.scalar_type()));
  }
  const TokenLayout layout = build_token_layout(graph.edge_index, graph.cell_shifts, graph.num_atoms());
  LayerInputs inputs = first_layer_inputs(graph.edge_vectors(), graph.species, graph.edge_index[1], layout);
  at::Tensor atomic = at::zeros({graph.num_atoms(), 1}, graph.positions.options());
  at::Tensor charges = has_dipole_head() ? at::zeros_like(atomic) : at::Tensor();
  for (int64_t k = 0; k < hypers_.n_gnn_layers; ++k) {
    const LayerOutputs outputs = run_layer(k, inputs);
    const at::Tensor features = head_features(outputs, inputs);
    atomic = atomic + layer_energies(k, features, outputs, inputs, layout);
    if (charges.defined()) charges = charges + apply_head(charge_heads_[k], features, inputs.central_species);
    // Each bond's next message averages its own and the one computed at the other end of it.
    inputs.messages = hypers_.residual_factor * (inputs.messages + layout.from_reverse_edges(outputs.messages));
    inputs.message_table = at::Tensor();
  }
  const at::Tensor atomic_energies = normalisation_.atomic_energies(atomic.squeeze(-1), graph.species);
  Outputs out;
  out["atomic_energies"] = atomic_energies;
  out["energy"] = normalisation_.energy(
      at::zeros({graph.num_structures()}, atomic.options()).index_add(0, graph.batch, atomic_energies));
  if (charges.defined()) add_dipole_outputs(out, charges.squeeze(-1), graph);
  return out;
}

}  // namespace eqt::models::pet
