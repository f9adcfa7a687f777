#pragma once
// PET one GNN layer at a time (models/message_passing.h), for LAMMPS's mode exchange. PET's state
// between layers is a message per directed edge, not a feature per atom: layer k's input token of
// centre c for neighbour n holds in_k[c, n] = f * (in_{k-1}[c, n] + out_{k-1}[n -> c]) (f the
// residual factor, in_0[c, n] the embedding of n's species), where out_{k-1}[n -> c] is the token
// n's transformer produced for neighbour c. Unrolled, in_k[c, n] depends on n's outputs and n's
// species only, so n's owner computes it for every neighbour of n: step k - 1 writes, in each
// atom's row (pet/exchange_rows.h), the message each of its neighbours receives at layer k, and
// step k reads centre c's messages from its neighbours' rows, ghosts' rows copied from their
// owners. A shell of one cutoff around the domain is enough, whatever the number of layers.
//
// Energies: every layer's heads read the centre's own tokens; the running sum of an atom's layer
// energies travels in column 0 of its row, and the last step returns it alone ([N, 1]).
// Rows beyond num_centres are not computed (zeros): their atoms' edges are not in the graph.
#include <ATen/ATen.h>

#include "eqt/data/graph.h"
#include "eqt/models/message_passing.h"
#include "eqt/models/pet/gnn_layer.h"
#include "eqt/models/pet/token_layout.h"

namespace eqt::models::pet {

class PetModel;

// Columns per exchange call (LAMMPS's comm_forward): rows are ~1 + 40 x (3 + D) wide and go in
// chunks of this many, so LAMMPS's buffers stay at 8 KiB per atom whatever the neighbour count.
constexpr int64_t kExchangeChunkColumns = 1024;

class PetSteps : public MessagePassing {
 public:
  // The model must outlive this object; edge_vectors [E, 3] replace graph.edge_vectors(); every
  // edge's centre is one of the first num_centres atoms.
  PetSteps(PetModel& model, const data::Graph& graph, const at::Tensor& edge_vectors, int64_t num_centres);

  int64_t num_steps() const override;
  at::Tensor step(int64_t k, const at::Tensor& features) override;
  at::Tensor atomic_energies(const at::Tensor& features) override;

 private:
  // Tokens [C, K, D] of the messages each centre receives, read from its neighbours' rows.
  at::Tensor incoming_messages(const at::Tensor& rows) const;

  PetModel& model_;
  data::Graph graph_;
  at::Tensor edge_vectors_;
  TokenLayout layout_;  // the centres' rows
  LayerInputs first_;   // layer 0's inputs; later layers change the messages only
};

}  // namespace eqt::models::pet
