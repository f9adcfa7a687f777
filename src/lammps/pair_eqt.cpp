#include "pair_eqt.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "atom.h"
#include "comm.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neigh_request.h"
#include "neighbor.h"
#include "update.h"
#include "utils.h"

#include "eqt/data/elements.h"
#include "eqt/models/cluster_potential.h"

using namespace LAMMPS_NS;

namespace {

Pair *create_pair_eqt(LAMMPS *lmp) { return new PairEQT(lmp); }

}  // namespace

void PairEQT::register_style(LAMMPS *lmp) { (*lmp->force->pair_map)["eqt"] = &create_pair_eqt; }

PairEQT::PairEQT(LAMMPS *lmp) : Pair(lmp)
{
  restartinfo = 0;
  one_coeff = 1;
  manybody_flag = 1;
  single_enable = 0;
  // The virial comes from the model's gradients directly (symmetrised, ghost images included).
  no_virial_fdotr_compute = 1;
}

PairEQT::~PairEQT()
{
  if (allocated) {
    memory->destroy(setflag);
    memory->destroy(cutsq);
  }
}

void PairEQT::allocate()
{
  allocated = 1;
  const int n = atom->ntypes;
  memory->create(setflag, n + 1, n + 1, "pair:setflag");
  memory->create(cutsq, n + 1, n + 1, "pair:cutsq");
  for (int i = 1; i <= n; i++)
    for (int j = i; j <= n; j++) setflag[i][j] = 0;
}

void PairEQT::settings(int narg, char **arg)
{
  if (narg < 1 || narg > 2) error->all(FLERR, "Illegal pair_style eqt command: expected MODEL_DIR [float64|float32]");
  std::string precision = narg == 2 ? arg[1] : "float64";
  if (precision != "float64" && precision != "float32")
    error->all(FLERR, "pair_style eqt: precision must be float64 or float32, not '{}'", precision);
  model_dir_ = arg[0];
  try {
    potential_ = std::make_unique<eqt::models::ClusterPotential>(model_dir_, precision == "float32");
  } catch (const std::exception &e) {
    error->all(FLERR, "pair_style eqt: {}", e.what());
  }
  if (comm->me == 0)
    utils::logmesg(lmp, "pair_style eqt: model '{}' from {} ({}), cutoff {} A, interaction range {} A\n",
                   potential_->kind(), model_dir_, precision, potential_->cutoff(),
                   potential_->interaction_range());
}

void PairEQT::coeff(int narg, char **arg)
{
  if (!potential_) error->all(FLERR, "pair_coeff before pair_style eqt");
  if (!allocated) allocate();
  const int ntypes = atom->ntypes;
  if (narg != 2 + ntypes || strcmp(arg[0], "*") != 0 || strcmp(arg[1], "*") != 0)
    error->all(FLERR, "pair_coeff for eqt must be '* *' followed by one element per atom type ({} types)", ntypes);
  type_numbers_.assign(ntypes + 1, 0);
  for (int t = 1; t <= ntypes; t++) {
    const auto z = eqt::data::atomic_number_capitalized(arg[1 + t]);
    if (!z || *z == 0) error->all(FLERR, "pair_coeff eqt: '{}' (type {}) is not a chemical element", arg[1 + t], t);
    type_numbers_[t] = *z;
  }
  check_species();
  for (int i = 1; i <= ntypes; i++)
    for (int j = i; j <= ntypes; j++) setflag[i][j] = 1;
}

// Fail at set-up, not in the middle of a run, for an element the model was not trained on.
void PairEQT::check_species() const
{
  const std::vector<int64_t> known = potential_->species();
  if (known.empty()) return;
  for (size_t t = 1; t < type_numbers_.size(); t++)
    if (std::find(known.begin(), known.end(), type_numbers_[t]) == known.end())
      error->all(FLERR, "pair_coeff eqt: type {} is element Z={}, which the model in {} does not know", t,
                 type_numbers_[t], model_dir_);
}

void PairEQT::init_style()
{
  if (!potential_ || type_numbers_.empty()) error->all(FLERR, "pair_style eqt needs pair_coeff * * ELEMENTS...");
  if (atom->tag_enable == 0) error->all(FLERR, "pair_style eqt requires atom IDs");
  // A full list keeps LAMMPS's neighbour machinery (and neigh_modify checks) as for any pair
  // style; the model graph itself is built by eqt over local + ghost atoms.
  const int irequest = neighbor->request(this, instance_me);
  neighbor->requests[irequest]->half = 0;
  neighbor->requests[irequest]->full = 1;
  // Ghost atoms must cover the model's interaction range (twice with newton off), plus the skin
  // atoms may move between re-neighbouring. A larger user setting (comm_modify cutoff) is kept.
  const double needed = potential_->shell_thickness(force->newton_pair != 0) + neighbor->skin;
  cluster_reported_ = false;
  if (comm->cutghostuser < needed) {
    if (comm->me == 0)
      utils::logmesg(lmp, "pair_style eqt: communication cutoff set to {} A ({} x interaction range + skin)\n",
                     needed, force->newton_pair ? 1 : 2);
    comm->cutghostuser = needed;
  }
}

double PairEQT::init_one(int, int) { return potential_->cutoff(); }

void PairEQT::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  if (vflag_atom) error->all(FLERR, "pair_style eqt does not compute per-atom virials");
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  double **x = atom->x;
  double **f = atom->f;
  const int *type = atom->type;

  positions_.resize(3 * static_cast<size_t>(nall));
  numbers_.resize(nall);
  for (int i = 0; i < nall; i++) {
    for (int k = 0; k < 3; k++) positions_[3 * i + k] = x[i][k];
    numbers_[i] = type_numbers_[type[i]];
  }
  eqt::models::ClusterPotential::Request request;
  request.positions = positions_.data();
  request.numbers = numbers_.data();
  request.num_atoms = nall;
  request.num_owned = nlocal;
  request.forces_on_shell = force->newton_pair != 0;
  request.virial = vflag_global != 0;
  request.atomic_energies = eflag_atom != 0;
  eqt::models::ClusterPotential::Result result;
  double constant = 0.0;
  try {
    result = potential_->compute(request);
    // Per-structure constants (e.g. a normalisation mean) once for the whole system.
    if (comm->me == 0 && eflag_global) constant = potential_->per_structure_constant(type_numbers_[1]);
  } catch (const std::exception &e) {
    error->one(FLERR, "pair_style eqt: {}", e.what());
  }

  if (!cluster_reported_ && comm->me == 0) {
    // The ghost shell is the price of exact message passing; say how large it is.
    utils::logmesg(lmp, "pair_style eqt: rank 0 evaluates the model on {} local + {} ghost atoms\n", nlocal,
                   nall - nlocal);
    cluster_reported_ = true;
  }
  const int nforces = request.forces_on_shell ? nall : nlocal;
  for (int i = 0; i < nforces; i++)
    for (int k = 0; k < 3; k++) f[i][k] += result.forces[3 * i + k];
  if (eflag_global) eng_vdwl += result.energy + constant;
  if (eflag_atom)
    for (int i = 0; i < nlocal; i++) eatom[i] += result.atomic_energies[i];
  if (vflag_global)
    for (int k = 0; k < 6; k++) virial[k] += result.virial[k];
}
