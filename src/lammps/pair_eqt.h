// LAMMPS pair style `eqt`: runs an eqt model directory (Equiformer, PET, ...) in LAMMPS.
//
//   pair_style eqt MODEL [float64|float32] [mode exchange|local|replicated]
//                  [ecse] [ecse_fallback DIR] [ecse_pruning single|official] [device cpu|cuda|cuda:N]
//   pair_coeff * * H O          # element of each LAMMPS atom type, in type order
//
// MODEL is whatever `eqt predict --model` takes (a model directory, an official export, a training
// run directory); `ecse`, `ecse_fallback` and `ecse_pruning` are predict's --ecse options.
//
// Three modes; the default is exchange for models that can be evaluated one message-passing step
// at a time (Equiformer with a layer norm, PET), else local when the model's interaction range is
// finite, else replicated (ECSE-wrapped models, Equiformer with a graph / instance norm).
//
// exchange: each rank keeps LAMMPS's usual ghost shell (cutoff + skin) and evaluates the model one
// message-passing step at a time on its local atoms (eqt::inference::ExchangePotential); after each
// step the ghosts' node features are filled from their owners by forward communication
// (pack/unpack_forward_comm), and in the backward pass the ghosts' feature gradients are summed
// into their owners by reverse communication. PET's exchanged rows are its messages per edge
// (eqt/models/pet/pet_steps.h), wider than comm_forward: they go in several communications.
// Forces land on ghosts (newton on: LAMMPS's reverse
// communication; off: this style's own). Per-atom virials (compute stress/atom) are available.
//
// replicated: rank 0 gathers all atoms (tag order) and the box and evaluates the whole periodic
// system once, as `eqt predict` does (eqt::inference::SystemPotential); every rank gets the forces
// (and per-atom energies) of its own atoms back. Nothing lands on ghost atoms, so the ghost shell
// is LAMMPS's usual cutoff + skin. Exact for any model, but it does not scale with ranks.
//
// local: each rank evaluates the model on its local atoms plus ghost atoms as an open cluster
// (eqt::inference::ClusterPotential): message-passing models see ghost atoms up to their interaction
// range (layers x cutoff), which this style sets as the communication cutoff. newton_pair on:
// forces on ghosts go back to their owners by reverse communication; off: the ghost shell is
// twice as deep and every rank computes its local forces completely. Energies, forces and the
// virial equal `eqt predict` on the periodic system.
//
// Compiled against LAMMPS's own headers (they bundle fmt v7): this file must include no eqt
// header that pulls in the system fmt.
#ifdef PAIR_CLASS
// clang-format off
PairStyle(eqt,PairEQT);
// clang-format on
#else

#ifndef LMP_PAIR_EQT_H
#define LMP_PAIR_EQT_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eqt/inference/exchange_potential.h"  // standard types only
#include "eqt/inference/system_potential.h"    // standard types only
#include "pair.h"

namespace eqt::inference {
class ClusterPotential;
}

namespace LAMMPS_NS {

class PairEQT : public Pair {
 public:
  explicit PairEQT(LAMMPS *lmp);
  ~PairEQT() override;
  void compute(int eflag, int vflag) override;
  void settings(int narg, char **arg) override;
  void coeff(int narg, char **arg) override;
  void init_style() override;
  double init_one(int i, int j) override;
  int pack_forward_comm(int n, int *list, double *buf, int pbc_flag, int *pbc) override;
  void unpack_forward_comm(int n, int first, double *buf) override;
  int pack_reverse_comm(int n, int first, double *buf) override;
  void unpack_reverse_comm(int n, int *list, double *buf) override;

  // Registers the style into a LAMMPS instance (what the PLUGIN package would do).
  static void register_style(LAMMPS *lmp);

 private:
  void allocate();
  void check_species() const;
  void load_model(const eqt::inference::SystemPotential::LoadOptions &options, const std::string &mode);
  eqt::inference::DomainRequest domain_request();
  void tally(const eqt::inference::DomainRequest &request, const eqt::inference::DomainResult &result,
             double constant);
  void compute_exchange();
  void compute_local();
  void compute_replicated();
  // eqt::inference::FeatureExchange through LAMMPS's forward / reverse communication of this style
  // (a separate object: LAMMPS 2025's ~Pair() is noexcept(false), FeatureExchange's is noexcept).
  class Exchange;
  void owners_to_shell(double *rows, int width);
  void shell_to_owners(double *rows, int width);

  enum class Mode { Exchange, Local, Replicated };

  // Owns the model; evaluates the whole system in replicated mode.
  std::unique_ptr<eqt::inference::SystemPotential> system_;
  // Local mode only: shares system_'s model.
  std::unique_ptr<eqt::inference::ClusterPotential> potential_;
  // Exchange mode only: shares system_'s model.
  std::unique_ptr<eqt::inference::ExchangePotential> exchange_;
  Mode mode_ = Mode::Local;
  double *exchange_rows_ = nullptr;  // [nall x exchange_width_] during one forward / reverse communication
  int exchange_width_ = 0;
  std::string model_dir_;
  std::vector<int64_t> type_numbers_;  // atomic number of each atom type (index 1..ntypes)
  std::vector<double> positions_;
  std::vector<int64_t> numbers_;
  std::vector<double> forces_;
  std::vector<double> energies_;
  bool cluster_reported_ = false;
};

}  // namespace LAMMPS_NS

#endif
#endif
