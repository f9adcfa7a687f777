#include "eqt/models/pet/pet_steps.h"

#include "eqt/core/error.h"
#include "eqt/models/pet/exchange_rows.h"
#include "eqt/models/pet/pet_model.h"

namespace eqt::models::pet {

PetSteps::PetSteps(PetModel& model, const data::Graph& graph, const at::Tensor& edge_vectors, int64_t num_centres)
    : model_(model),
      graph_(graph),
      edge_vectors_(edge_vectors),
      layout_(build_centre_token_layout(graph.edge_index, num_centres)),
      first_(model.first_layer_inputs(edge_vectors, graph.species, graph.edge_index[1], layout_)) {}

int64_t PetSteps::num_steps() const { return model_.hypers_.n_gnn_layers; }

at::Tensor PetSteps::incoming_messages(const at::Tensor& rows) const {
  const int64_t d = model_.hypers_.d_model;
  const at::Tensor slots = incoming_slots(row_displacements(rows, d), graph_.edge_index, edge_vectors_,
                                          model_.hypers_.r_cut, match_tolerance(rows.scalar_type()));
  // A missing slot (a pair at the cutoff, weight zero) reads an appended zero message.
  const at::Tensor messages = row_messages(rows, d).reshape({-1, d});
  const at::Tensor table = at::cat({messages, at::zeros({1, d}, messages.options())}, 0);
  const at::Tensor index = at::where(slots < 0, at::full_like(slots, messages.size(0)), slots);
  return layout_.to_tokens(table.index_select(0, index));
}

at::Tensor PetSteps::step(int64_t k, const at::Tensor& features) {
  if (k < 0 || k >= num_steps()) fail("PET: message-passing step {} of {}", k, num_steps());
  if (k > 0 && (!features.defined() || features.size(0) != graph_.num_atoms())) {
    fail("PET: step {} needs the previous step's rows for all {} atoms", k, graph_.num_atoms());
  }
  const int64_t centres = layout_.num_atoms, slots = layout_.max_neighbours, d = model_.hypers_.d_model;
  LayerInputs inputs = first_;
  at::Tensor sent;  // [C, K, D]: what each neighbour of a centre received from it at layer k
  if (k == 0) {
    sent = model_.embedding_->forward(inputs.central_species).unsqueeze(1).expand({centres, slots, d});
  } else {
    inputs.messages = incoming_messages(features);
    inputs.message_table = at::Tensor();
    sent = row_messages(features, d).narrow(0, 0, centres).narrow(1, 0, slots);
  }
  const LayerOutputs outputs = model_.run_layer(k, inputs);
  at::Tensor energies =
      model_.layer_energies(k, model_.head_features(outputs, inputs), outputs, inputs, layout_).squeeze(-1);
  if (k > 0) energies = row_energies(features).narrow(0, 0, centres) + energies;
  if (k + 1 == num_steps()) {
    const at::Tensor rest = at::zeros({graph_.num_atoms() - centres}, energies.options());
    return at::cat({energies, rest}, 0).unsqueeze(1);
  }
  // As PetModel::forward: next input = f * (input + output of the reverse edge), seen from n.
  const at::Tensor next = (model_.hypers_.residual_factor * (sent + outputs.messages))
                              .masked_fill(layout_.padding.unsqueeze(-1), 0.0);
  return pack_exchange_rows(energies, inputs.vectors.detach(), next, graph_.num_atoms());
}

at::Tensor PetSteps::atomic_energies(const at::Tensor& features) {
  return model_.normalisation_.atomic_energies(features.select(1, 0), graph_.species);
}

}  // namespace eqt::models::pet
