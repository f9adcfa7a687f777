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
};

class ExchangePotential {
 public:
  struct Request {
    const double* positions = nullptr;  // [num_atoms * 3], Angstrom; owned atoms first
    const int64_t* numbers = nullptr;   // [num_atoms], atomic numbers
    int64_t num_atoms = 0;
    int64_t num_owned = 0;
    // true: Result::forces holds the shell atoms' partial forces, for the caller to sum into their
    // owners (LAMMPS newton_pair on); false: this class sums them (shell_to_owners) and returns
    // complete forces on owned atoms only.
    bool forces_on_shell = true;
    bool virial = true;
    bool atomic_energies = false;
    bool atomic_virials = false;
  };
  struct Result {
    double energy = 0.0;                  // eV, sum of the owned atoms' atomic energies
    std::vector<double> forces;           // [num_atoms * 3], eV/A (shell rows zero unless forces_on_shell)
    std::array<double, 6> virial{};       // eV: xx, yy, zz, xy, xz, yz (LAMMPS order)
    std::vector<double> atomic_energies;  // [num_owned], eV (per-structure constant not included)
    std::vector<double> atomic_virials;   // [num_owned * 6], eV, same order
  };

  // A model whose message_passing_shape() has steps, computing in float32 or float64.
  // Throws eqt::Error (a std::runtime_error) for a model that cannot be evaluated step by step.
  ExchangePotential(std::shared_ptr<models::Model> model, bool float32);
  ~ExchangePotential();
  ExchangePotential(const ExchangePotential&) = delete;
  ExchangePotential& operator=(const ExchangePotential&) = delete;

  // Whether a model can run here (it can be evaluated step by step).
  static bool supports(const models::Model& model);
  // The widest row owners_to_shell / shell_to_owners will be given (node features, or 3 for forces).
  int max_exchanged_width() const;
  int64_t num_steps() const;

  Result compute(const Request& request, FeatureExchange& exchange);
  // energy - sum of atomic energies (eV), to be added once per system; see per_structure_constant.h.
  double per_structure_constant(int64_t number);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqt::inference
