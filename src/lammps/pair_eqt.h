// LAMMPS pair style `eqt`: runs an eqt model directory (Equiformer, PET, ...) in LAMMPS.
//
//   pair_style eqt MODEL_DIR [float64|float32]
//   pair_coeff * * H O          # element of each LAMMPS atom type, in type order
//
// Each rank evaluates the model on its local atoms plus ghost atoms as an open cluster
// (eqt::models::ClusterPotential): message-passing models see ghost atoms up to their interaction
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

#include "pair.h"

namespace eqt::models {
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

  std::unique_ptr<eqt::models::ClusterPotential> potential_;
  std::string model_dir_;
  std::vector<int64_t> type_numbers_;  // atomic number of each atom type (index 1..ntypes)
  std::vector<double> positions_;
  std::vector<int64_t> numbers_;
  bool cluster_reported_ = false;
};

}  // namespace LAMMPS_NS

#endif
#endif
