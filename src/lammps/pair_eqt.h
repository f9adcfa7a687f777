// LAMMPS pair style `eqt`: runs an eqt model directory (Equiformer, PET, ...) in LAMMPS.
//
//   pair_style eqt MODEL [float64|float32] [mode local|replicated]
//                  [ecse] [ecse_fallback DIR] [ecse_pruning single|official] [device cpu|cuda|cuda:N]
//   pair_coeff * * H O          # element of each LAMMPS atom type, in type order
//
// MODEL is whatever `eqt predict --model` takes (a model directory, an official export, a training
// run directory); `ecse`, `ecse_fallback` and `ecse_pruning` are predict's --ecse options.
//
// Two modes; the default is local when the model's interaction range is finite, replicated
// otherwise (ECSE-wrapped models, Equiformer with a graph / instance norm).
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

#include "eqt/inference/system_potential.h"  // standard types only
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

  // Registers the style into a LAMMPS instance (what the PLUGIN package would do).
  static void register_style(LAMMPS *lmp);

 private:
  void allocate();
  void check_species() const;
  void load_model(const eqt::inference::SystemPotential::LoadOptions &options, const std::string &mode);
  void compute_local();
  void compute_replicated();

  // Owns the model; evaluates the whole system in replicated mode.
  std::unique_ptr<eqt::inference::SystemPotential> system_;
  // Local mode only: shares system_'s model.
  std::unique_ptr<eqt::inference::ClusterPotential> potential_;
  bool replicated_ = false;
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
