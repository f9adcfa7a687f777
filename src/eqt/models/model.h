#pragma once
// The one model interface. A model maps a batched graph to per-structure (and optionally per-atom)
// outputs; ECSE, training, MD, ASE and LAMMPS use nothing else. Forces and stress are not the
// model's business: `evaluate` (potential.h) derives them from the energy by autograd, so every
// model is conservative by construction.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <map>
#include <memory>
#include <string>

#include "eqt/data/graph.h"
#include "eqt/data/graph_rule.h"
#include "eqt/models/message_passing.h"

namespace eqt::models {

// Named outputs: "energy" [B] in eV is the potential energy; models may add per-structure targets
// ("U0", "mu" [B], "dipole" [B, 3], ...) and per-atom ones ("atomic_energies" [N]).
using Outputs = std::map<std::string, at::Tensor>;

// The symmetries an architecture guarantees exactly, by construction rather than by training.
// Translations and permutations of atoms are always exact. `eqt check` holds a model to these and
// reports the others without a verdict.
struct ExactSymmetries {
  bool rotations = true;   // energies invariant, forces equivariant under proper rotations
  bool inversion = false;  // the same under r -> -r (false: chiral, SE(3) only)
};

class Model : public torch::nn::Module {
 public:
  // graph.positions (and graph.cell) may require grad; use graph.edge_vectors() so that
  // derivatives reach them.
  virtual Outputs forward(const data::Graph& graph) = 0;
  // Neighbour-list cutoff in Angstrom that graphs given to forward must be built with.
  virtual double cutoff() const = 0;
  // The neighbour-list rule of those graphs: ASE's with cutoff() unless the model was trained on
  // another (OC20 models: data/slab_neighbour_list.h). Tools build graphs with data::collate(rule).
  virtual data::GraphRule graph_rule() const { return data::GraphRule::ase(cutoff()); }
  // Short name of the architecture ("equiformer", "pet", "ecse(pet)", ...).
  virtual std::string kind() const = 0;
  virtual ExactSymmetries exact_symmetries() const { return {}; }
  // Whether a forward and backward pass over `graph` is too small to gain from several threads
  // (evaluate and the trainer then run it on one, see OneThreadScope in core/threads.h).
  virtual bool prefers_one_thread(const data::Graph& graph) const {
    (void)graph;
    return false;
  }
  // Step-by-step evaluation for domain decomposition with exchanged node features
  // (message_passing.h). Architectures that cannot (atomic energies that are not local) keep
  // these defaults: no steps, nullptr.
  virtual MessagePassingShape message_passing_shape() const { return {}; }
  // num_centres: the rows whose outputs the caller reads (atoms 0..num_centres-1, the owned ones;
  // graph holds every edge of theirs and no other); a model may skip the other rows.
  virtual std::unique_ptr<MessagePassing> message_passing(const data::Graph& graph, const at::Tensor& edge_vectors,
                                                          int64_t num_centres) {
    (void)graph;
    (void)edge_vectors;
    (void)num_centres;
    return nullptr;
  }
};

}  // namespace eqt::models
