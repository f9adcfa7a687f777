#pragma once
// Energy, forces and virial of one domain of a large (periodic) system, computed on an open cluster:
// the atoms the domain owns followed by a shell of surrounding atoms (periodic images included),
// e.g. LAMMPS's local and ghost atoms. This is how a domain-decomposed MD code runs an eqt model.
//
// The energy of the domain is the sum of the model's "atomic_energies" over the owned atoms. An
// owned atom's energy is exact when the shell holds every atom within interaction_range() of it
// (message passing reaches layers x cutoff); shell atoms' own energies are wrong and never enter.
// Per-structure constants of the model (energy - sum of atomic energies, e.g. Equiformer's
// normalisation mean) are not in Result::energy: per_structure_constant() gives them, for the
// caller to add once per system (LAMMPS: on rank 0).
//
// Forces, two modes (LAMMPS's newton_pair on / off):
//  * forces_on_shell: forces = -d(domain energy)/dx on owned AND shell atoms; the caller sums the
//    shell forces into their owners (LAMMPS reverse communication). Shell: interaction_range().
//  * otherwise: only owned atoms' forces, complete by themselves: -dE'/dx where E' sums the atomic
//    energies of every atom within interaction-range hops of the owned atoms (all atoms whose
//    energy depends on an owned position). Shell: 2 x interaction_range().
// Virial: -sum_i x_i (x) d(domain energy)/dx_i over owned and shell atoms, symmetrised; summed over
// domains it is -V * stress of the whole system (ASE sign convention for stress).
//
// The interface has only standard types: it is called from code compiled against LAMMPS's headers,
// which bundle their own fmt (see src/lammps/).
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eqt/inference/domain_request.h"

namespace eqt::models {
class Model;
}

namespace eqt::inference {

using models::Model;

class ClusterPotential {
 public:
  using Request = DomainRequest;  // atomic_virials: refused (mode exchange has them)
  using Result = DomainResult;

  // Loads a model (load_inference_model: a model directory, an official export or a training run
  // directory) for float64 or float32 computation.
  // Throws eqt::Error (a std::runtime_error) when it cannot be loaded or has no atomic energies.
  ClusterPotential(const std::string& model_dir, bool float32);
  // A model already built, computing in its own dtype (float32 / float64).
  ClusterPotential(std::shared_ptr<Model> model, bool float32, std::vector<int64_t> species = {});
  ~ClusterPotential();
  ClusterPotential(const ClusterPotential&) = delete;
  ClusterPotential& operator=(const ClusterPotential&) = delete;

  double cutoff() const;
  double interaction_range() const;
  std::string kind() const;
  std::vector<int64_t> species() const;  // atomic numbers the model knows; empty if not recorded
  // Shell thickness needed by the force mode (without any MD skin).
  double shell_thickness(bool forces_on_shell) const;

  Result compute(const Request& request);
  // energy - sum of atomic energies (eV), the same for every structure; `number` is any atomic
  // number the model knows (the constant is measured on one such atom, once).
  double per_structure_constant(int64_t number);

 private:
  void prepare(const std::string& origin);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqt::inference
