#pragma once
// A model evaluated one message-passing step at a time. A domain-decomposed code (LAMMPS's
// `mode exchange`, inference/exchange_potential.h) then needs ghost atoms one cutoff deep only:
// between steps it overwrites the ghost atoms' node features with their owners' ones, instead of
// recomputing a ghost shell as deep as the whole receptive field (inference/cluster_potential.h).
// A step's "features" are whatever the model must pass between atoms: Equiformer's node features,
// PET's messages on edges packed per atom (pet/pet_steps.h).
//
// Step 0 computes node features from the graph alone; step k > 0 maps the node features of every
// atom (the output of step k - 1, ghost rows exchanged) to new ones. A row of a step's output is
// right when the graph holds every edge whose centre is that atom: the caller gives edges of owned
// centres only (the first num_centres atoms, Model::message_passing) and replaces the other rows
// before the next step. atomic_energies maps the last
// step's output to per-atom energies (per-structure constants such as a normalisation mean are
// not included; see inference/per_structure_constant.h).
//
// Positions enter through the edge vectors given to Model::message_passing only, so derivatives
// with respect to them give forces and per-edge virials.
#include <ATen/ATen.h>

#include <cstdint>

namespace eqt::models {

// What a domain-decomposed caller must know before the first graph: how many steps, and the
// widest row of node features it will exchange (to size its communication buffers).
struct MessagePassingShape {
  int64_t steps = 0;  // 0: the model cannot be evaluated step by step
  // The widest row one exchange call moves. With width_varies, a step's rows may be wider (their
  // width depends on the graph: PET's grows with the neighbour count); the caller then pads every
  // domain's rows to the widest width of all domains (their rows must line up) and exchanges them
  // in chunks of at most this many columns.
  int64_t max_exchanged_width = 0;
  bool width_varies = false;
};

class MessagePassing {
 public:
  virtual ~MessagePassing() = default;
  virtual int64_t num_steps() const = 0;
  // features: undefined for step 0, else [N, width] (the previous step's output, ghosts exchanged).
  virtual at::Tensor step(int64_t k, const at::Tensor& features) = 0;
  // The last step's output [N, F] -> atomic energies [N] in eV.
  virtual at::Tensor atomic_energies(const at::Tensor& features) = 0;
};

}  // namespace eqt::models
