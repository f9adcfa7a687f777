#pragma once
// Energy, forces and virials of one domain of a large (periodic) system, for a model evaluated one
// message-passing step at a time (models/message_passing.h): after every step but the last, the
// node features of the shell atoms are overwritten with their owners' ones (FeatureExchange), and
// in the backward pass the gradients that reached shell atoms are summed into their owners. So the
// shell needs to hold every atom within ONE cutoff of an owned atom (LAMMPS: cutoff + skin), however
// many layers the model has; compare cluster_potential.h, whose shell is the whole receptive field.
// This is LAMMPS's `mode exchange` (src/lammps/pair_eqt.*), exchanging with LAMMPS's own
// forward / reverse communication.
//
// A model whose rows' width varies with the graph (MessagePassingShape::width_varies: PET's rows
// hold one message per edge) has every domain's rows padded with zeros to the widest of all
// domains; rows wider than max_exchanged_width() go through the exchange in column chunks, so the
// caller's buffers (LAMMPS's comm_forward) need hold that many values per atom only.
//
// Edges are built for owned centres only, so every edge is computed on exactly one domain, and the
// derivative of the total energy with respect to an edge vector is complete there: per-atom
// virials (each edge's -sym(r (x) dE/dr) given to its centre) do not depend on the decomposition.
//
// Collective: every domain calls compute() at the same time and makes the same FeatureExchange
// calls in the same order, also with no atoms. Standard types only (see src/lammps/).
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "eqt/inference/domain_request.h"

namespace eqt::models {
class Model;
}

namespace eqt::inference {

// How a domain-decomposed code moves per-atom rows between domains. rows: [num_atoms x width]
// float64, row-major, owned atoms first, then shell atoms.
class FeatureExchange {
 public:
  virtual ~FeatureExchange() = default;
  // Copies each atom's row from its owner into every shell copy of the atom (periodic images too).
  virtual void owners_to_shell(double* rows, int width) = 0;
  // Adds each shell atom's row into its owner's row.
  virtual void shell_to_owners(double* rows, int width) = 0;
  // The largest `value` of all domains (an all-reduce): models whose rows' width depends on the
  // graph (PET) agree on one width before each exchange.
  virtual int64_t max_over_domains(int64_t value) = 0;
};

class ExchangePotential {
 public:
  // forces_on_shell false: this class sums the shell forces into their owners (shell_to_owners).
  using Request = DomainRequest;
  using Result = DomainResult;

  // A model whose message_passing_shape() has steps, computing in float32 or float64.
  // Throws eqt::Error (a std::runtime_error) for a model that cannot be evaluated step by step.
  ExchangePotential(std::shared_ptr<models::Model> model, bool float32);
  ~ExchangePotential();
  ExchangePotential(const ExchangePotential&) = delete;
  ExchangePotential& operator=(const ExchangePotential&) = delete;

  // Whether a model can run here (it can be evaluated step by step).
  static bool supports(const models::Model& model);
  // The widest row owners_to_shell / shell_to_owners will be given (node features or a chunk of
  // them, or 3 for forces).
  int max_exchanged_width() const;
  int64_t num_steps() const;
  // Whether rows are wider than max_exchanged_width() and exchanged in several calls (PET).
  bool width_varies() const;

  Result compute(const Request& request, FeatureExchange& exchange);
  // energy - sum of atomic energies (eV), to be added once per system; see per_structure_constant.h.
  double per_structure_constant(int64_t number);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqt::inference
