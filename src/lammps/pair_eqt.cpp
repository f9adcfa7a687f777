#include "pair_eqt.h"
#include "pair_style_args.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <numeric>

#include "atom.h"
#include "comm.h"
#include "domain.h"
#include "error.h"
#include "force.h"
#include "memory.h"
#include "neigh_list.h"
#include "neigh_request.h"
#include "neighbor.h"
#include "update.h"
#include "utils.h"

#include "eqt/data/elements.h"
#include "eqt/inference/cluster_potential.h"
#include "eqt/inference/system_potential.h"

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
  eqt::lammps::PairStyleArgs parsed;
  try {
    parsed = eqt::lammps::parse_pair_style_args(std::vector<std::string>(arg, arg + narg));
  } catch (const std::exception &e) {
    error->all(FLERR, std::string(e.what()));
  }
  model_dir_ = parsed.model_dir;
  load_model(parsed.options, parsed.mode);
}

void PairEQT::load_model(const eqt::inference::SystemPotential::LoadOptions &options, const std::string &mode)
{
  const bool float32 = options.float32;
  const std::string precision = float32 ? "float32" : "float64";
  potential_.reset();
  exchange_.reset();
  try {
    system_ = std::make_unique<eqt::inference::SystemPotential>(model_dir_, options);
  } catch (const std::exception &e) {
    error->all(FLERR, "pair_style eqt: {}", e.what());
  }
  const double range = system_->interaction_range();
  const bool steps = eqt::inference::ExchangePotential::supports(*system_->model());
  if (mode == "exchange" && !steps)
    error->all(FLERR, "pair_style eqt: model '{}' in {} cannot be evaluated one message-passing step at a time "
               "(ECSE and graph norms are not local): mode exchange is impossible, use mode local or replicated", system_->kind(), model_dir_);
  if (mode == "local" && !std::isfinite(range))
    error->all(FLERR, "pair_style eqt: model '{}' in {} has no finite interaction range (its atomic energies depend "
               "on the whole structure, e.g. ECSE or a graph norm): mode local is impossible, use mode replicated",
               system_->kind(), model_dir_);
  if (mode.empty())
    mode_ = steps ? Mode::Exchange : std::isfinite(range) ? Mode::Local : Mode::Replicated;
  else
    mode_ = mode == "exchange" ? Mode::Exchange : mode == "local" ? Mode::Local : Mode::Replicated;
  try {
    if (mode_ == Mode::Local)
      potential_ = std::make_unique<eqt::inference::ClusterPotential>(system_->model(), float32, system_->species());
    if (mode_ == Mode::Exchange) exchange_ = std::make_unique<eqt::inference::ExchangePotential>(system_->model(), float32);
  } catch (const std::exception &e) {
    error->all(FLERR, "pair_style eqt: {}: {}", model_dir_, e.what());
  }
  // LAMMPS sizes its communication buffers from these when it initialises (after this call).
  comm_forward = comm_reverse = exchange_ ? exchange_->max_exchanged_width() : 0;
  if (comm->me == 0) {
    utils::logmesg(lmp, "pair_style eqt: model '{}' from {} ({}), cutoff {} A, interaction range {} A\n",
                   system_->kind(), model_dir_, precision, system_->cutoff(), range);
    const char *why = mode.empty() ? " (default for this model)" : "";
    if (mode_ == Mode::Replicated)
      utils::logmesg(lmp, "pair_style eqt: mode replicated{}: rank 0 evaluates the whole system, all ranks get "
                     "their atoms' forces\n", mode.empty() ? " (atomic energies are not local)" : "");
    else if (mode_ == Mode::Local)
      utils::logmesg(lmp, "pair_style eqt: mode local{}: each rank evaluates its atoms plus a ghost shell as deep as "
                     "the interaction range\n", why);
    else
      utils::logmesg(lmp, "pair_style eqt: mode exchange{}: ghost shell of one cutoff; node features of ghost atoms "
                     "exchanged after each of {} message-passing steps ({} values per atom{})\n", why,
                     exchange_->num_steps(), comm_forward, exchange_->width_varies() ? " and call: PET's messages "
                     "per edge, in as many calls as they need" : "");
  }
}

void PairEQT::coeff(int narg, char **arg)
{
  if (!system_) error->all(FLERR, "pair_coeff before pair_style eqt");
  if (!allocated) allocate();
  try {
    type_numbers_ = eqt::lammps::parse_pair_coeff_elements(std::vector<std::string>(arg, arg + narg), atom->ntypes);
  } catch (const std::exception &e) {
    error->all(FLERR, std::string(e.what()));
  }
  check_species();
  for (int i = 1; i <= atom->ntypes; i++)
    for (int j = i; j <= atom->ntypes; j++) setflag[i][j] = 1;
}

// Fail at set-up, not in the middle of a run, for an element the model was not trained on.
void PairEQT::check_species() const
{
  for (size_t t = 1; t < type_numbers_.size(); t++) {
    const std::string unknown = system_->unknown_species(type_numbers_[t]);
    if (!unknown.empty()) error->all(FLERR, "pair_coeff eqt: type {} is {} (model {})", t, unknown, model_dir_);
  }
}

void PairEQT::init_style()
{
  if (!system_ || type_numbers_.empty()) error->all(FLERR, "pair_style eqt needs pair_coeff * * ELEMENTS...");
  if (atom->tag_enable == 0) error->all(FLERR, "pair_style eqt requires atom IDs");
  // A full list keeps LAMMPS's neighbour machinery (and neigh_modify checks) as for any pair
  // style; the model graph itself is built by eqt over local + ghost atoms.
#ifdef EQT_LAMMPS_ADD_REQUEST
  // LAMMPS 2Jun2022 and later (Debian 13): add_request(); NeighRequest's fields are protected.
  neighbor->add_request(this, NeighConst::REQ_FULL);
#else
  // LAMMPS before 2Jun2022 (Debian 12's 7Jan2022): request() and the fields set by hand.
  const int irequest = neighbor->request(this, instance_me);
  neighbor->requests[irequest]->half = 0;
  neighbor->requests[irequest]->full = 1;
#endif
  cluster_reported_ = false;
  // Replicated mode puts nothing on ghost atoms, and exchange mode needs ghosts within one cutoff
  // of a local atom only: LAMMPS's usual cutoff + skin is all they need.
  if (mode_ != Mode::Local) return;
  // Ghost atoms must cover the model's interaction range (twice with newton off), plus the skin
  // atoms may move between re-neighbouring. A larger user setting (comm_modify cutoff) is kept.
  const double needed = potential_->shell_thickness(force->newton_pair != 0) + neighbor->skin;
  if (comm->cutghostuser < needed) {
    if (comm->me == 0)
      utils::logmesg(lmp, "pair_style eqt: communication cutoff set to {} A ({} x interaction range + skin)\n",
                     needed, force->newton_pair ? 1 : 2);
    comm->cutghostuser = needed;
  }
}

double PairEQT::init_one(int, int) { return system_->cutoff(); }

void PairEQT::compute(int eflag, int vflag)
{
  ev_init(eflag, vflag);
  if (vflag_atom && mode_ != Mode::Exchange)
    error->all(FLERR, "pair_style eqt computes per-atom virials (compute stress/atom) in mode exchange only");
  if (mode_ == Mode::Exchange)
    compute_exchange();
  else if (mode_ == Mode::Replicated)
    compute_replicated();
  else
    compute_local();
}

class PairEQT::Exchange : public eqt::inference::FeatureExchange {
 public:
  explicit Exchange(PairEQT &pair) : pair_(pair) {}
  void owners_to_shell(double *rows, int width) override { pair_.owners_to_shell(rows, width); }
  void shell_to_owners(double *rows, int width) override { pair_.shell_to_owners(rows, width); }
  int64_t max_over_domains(int64_t value) override
  {
    int64_t largest = value;
    MPI_Allreduce(&value, &largest, 1, MPI_INT64_T, MPI_MAX, pair_.world);
    return largest;
  }

 private:
  PairEQT &pair_;
};

// Local and ghost atoms (owned first, as LAMMPS orders them), for a domain potential.
eqt::inference::DomainRequest PairEQT::domain_request()
{
  const int nlocal = atom->nlocal;
  const int nall = nlocal + atom->nghost;
  double **x = atom->x;
  positions_.resize(3 * static_cast<size_t>(nall));
  numbers_.resize(nall);
  for (int i = 0; i < nall; i++) {
    for (int k = 0; k < 3; k++) positions_[3 * i + k] = x[i][k];
    numbers_[i] = type_numbers_[atom->type[i]];
  }
  eqt::inference::DomainRequest request;
  request.positions = positions_.data();
  request.numbers = numbers_.data();
  request.num_atoms = nall;
  request.num_owned = nlocal;
  request.forces_on_shell = force->newton_pair != 0;
  request.virial = vflag_global != 0;
  request.atomic_energies = eflag_atom != 0;
  request.atomic_virials = vflag_atom != 0;
  return request;
}

// Adds a domain's result to LAMMPS's forces, energy, virial and per-atom arrays; `constant` (the
// model's per-structure constant) is non-zero on one rank only.
void PairEQT::tally(const eqt::inference::DomainRequest &request, const eqt::inference::DomainResult &result,
                    double constant)
{
  const int nlocal = atom->nlocal;
  if (!cluster_reported_ && comm->me == 0) {
    // The ghost shell is what domain decomposition costs; say how large it is.
    utils::logmesg(lmp, "pair_style eqt: rank 0 evaluates the model on {} local atoms, with {} ghost atoms ({})\n",
                   nlocal, atom->nghost, mode_ == Mode::Local ? "evaluated too" : "features only");
    cluster_reported_ = true;
  }
  double **f = atom->f;
  const int nforces = request.forces_on_shell ? nlocal + atom->nghost : nlocal;
  for (int i = 0; i < nforces; i++)
    for (int k = 0; k < 3; k++) f[i][k] += result.forces[3 * i + k];
  if (eflag_global) eng_vdwl += result.energy + constant;
  if (eflag_atom)
    for (int i = 0; i < nlocal; i++) eatom[i] += result.atomic_energies[i];
  if (vflag_global)
    for (int k = 0; k < 6; k++) virial[k] += result.virial[k];
  if (vflag_atom)
    for (int i = 0; i < nlocal; i++)
      for (int k = 0; k < 6; k++) vatom[i][k] += result.atomic_virials[6 * i + k];
}

// Local atoms plus ghosts (one cutoff + skin), evaluated step by step; the ghosts' features come
// from their owners through owners_to_shell / shell_to_owners below.
void PairEQT::compute_exchange()
{
  const eqt::inference::DomainRequest request = domain_request();
  eqt::inference::DomainResult result;
  double constant = 0.0;
  try {
    Exchange exchange(*this);
    result = exchange_->compute(request, exchange);
    if (comm->me == 0 && eflag_global) constant = exchange_->per_structure_constant(type_numbers_[1]);
  } catch (const std::exception &e) {
    // The other ranks wait in the next exchange: stop them all.
    error->one(FLERR, "pair_style eqt: {}", e.what());
  }
  tally(request, result, constant);
}

void PairEQT::owners_to_shell(double *rows, int width)
{
  exchange_rows_ = rows;
  exchange_width_ = width;
#ifdef EQT_LAMMPS_COMM_PAIR
  comm->forward_comm_pair(this);  // LAMMPS before 2Jun2022 (Debian 12)
#else
  comm->forward_comm(this);
#endif
  exchange_rows_ = nullptr;
}

void PairEQT::shell_to_owners(double *rows, int width)
{
  exchange_rows_ = rows;
  exchange_width_ = width;
#ifdef EQT_LAMMPS_COMM_PAIR
  comm->reverse_comm_pair(this);
#else
  comm->reverse_comm(this);
#endif
  exchange_rows_ = nullptr;
}

// Node features are invariant under the periodic translations of ghost images: pbc is not used.
int PairEQT::pack_forward_comm(int n, int *list, double *buf, int, int *)
{
  const int w = exchange_width_;
  for (int i = 0; i < n; i++) std::copy_n(exchange_rows_ + static_cast<size_t>(list[i]) * w, w, buf + i * w);
  return n * w;
}

void PairEQT::unpack_forward_comm(int n, int first, double *buf)
{
  std::copy_n(buf, static_cast<size_t>(n) * exchange_width_, exchange_rows_ + static_cast<size_t>(first) * exchange_width_);
}

int PairEQT::pack_reverse_comm(int n, int first, double *buf)
{
  const int w = exchange_width_;
  std::copy_n(exchange_rows_ + static_cast<size_t>(first) * w, static_cast<size_t>(n) * w, buf);
  return n * w;
}

void PairEQT::unpack_reverse_comm(int n, int *list, double *buf)
{
  const int w = exchange_width_;
  for (int i = 0; i < n; i++) {
    double *row = exchange_rows_ + static_cast<size_t>(list[i]) * w;
    for (int k = 0; k < w; k++) row[k] += buf[i * w + k];
  }
}

// Local atoms plus a ghost shell as deep as the interaction range, evaluated as one open cluster.
void PairEQT::compute_local()
{
  const eqt::inference::DomainRequest request = domain_request();
  eqt::inference::DomainResult result;
  double constant = 0.0;
  try {
    result = potential_->compute(request);
    // Per-structure constants (e.g. a normalisation mean) once for the whole system.
    if (comm->me == 0 && eflag_global) constant = potential_->per_structure_constant(type_numbers_[1]);
  } catch (const std::exception &e) {
    error->one(FLERR, "pair_style eqt: {}", e.what());
  }
  tally(request, result, constant);
}

namespace {

// Per-rank counts (times `width`) and displacements for MPI_Gatherv / MPI_Scatterv.
void counts_and_displacements(const std::vector<int> &atoms, int width, std::vector<int> &counts,
                              std::vector<int> &displacements)
{
  counts.resize(atoms.size());
  displacements.assign(atoms.size(), 0);
  for (size_t r = 0; r < atoms.size(); r++) {
    counts[r] = width * atoms[r];
    if (r > 0) displacements[r] = displacements[r - 1] + counts[r - 1];
  }
}

}  // namespace

// Rank 0 gathers every rank's atoms, evaluates the whole system in tag order (so the result does
// not depend on the decomposition) and sends each rank the forces of its own atoms; energy and
// virial are tallied on rank 0 only, since LAMMPS sums them over ranks.
void PairEQT::compute_replicated()
{
  const int nlocal = atom->nlocal;
  const int me = comm->me, nprocs = comm->nprocs;
  std::vector<int> atoms_of_rank(nprocs, 0);
  MPI_Gather(&nlocal, 1, MPI_INT, atoms_of_rank.data(), 1, MPI_INT, 0, world);
  std::vector<int> counts1, displs1, counts3, displs3;
  counts_and_displacements(atoms_of_rank, 1, counts1, displs1);
  counts_and_displacements(atoms_of_rank, 3, counts3, displs3);
  const int natoms = me == 0 ? std::accumulate(atoms_of_rank.begin(), atoms_of_rank.end(), 0) : 0;

  std::vector<int64_t> tags(nlocal), numbers(nlocal);
  positions_.resize(3 * static_cast<size_t>(nlocal));
  for (int i = 0; i < nlocal; i++) {
    tags[i] = atom->tag[i];
    numbers[i] = type_numbers_[atom->type[i]];
    for (int k = 0; k < 3; k++) positions_[3 * i + k] = atom->x[i][k];
  }
  std::vector<int64_t> all_tags(natoms), all_numbers(natoms);
  std::vector<double> all_positions(3 * static_cast<size_t>(natoms));
  MPI_Gatherv(tags.data(), nlocal, MPI_INT64_T, all_tags.data(), counts1.data(), displs1.data(), MPI_INT64_T, 0, world);
  MPI_Gatherv(numbers.data(), nlocal, MPI_INT64_T, all_numbers.data(), counts1.data(), displs1.data(), MPI_INT64_T, 0,
              world);
  MPI_Gatherv(positions_.data(), 3 * nlocal, MPI_DOUBLE, all_positions.data(), counts3.data(), displs3.data(),
              MPI_DOUBLE, 0, world);

  std::vector<double> all_forces(3 * static_cast<size_t>(natoms)), all_energies(natoms);
  if (me == 0) {
    // order[s]: the gathered index of the atom with the s-th smallest tag.
    std::vector<int> order(natoms);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return all_tags[a] < all_tags[b]; });
    std::vector<double> sorted_positions(3 * static_cast<size_t>(natoms));
    std::vector<int64_t> sorted_numbers(natoms);
    for (int s = 0; s < natoms; s++) {
      sorted_numbers[s] = all_numbers[order[s]];
      for (int k = 0; k < 3; k++) sorted_positions[3 * s + k] = all_positions[3 * order[s] + k];
    }
    eqt::inference::SystemPotential::Request request;
    request.positions = sorted_positions.data();
    request.numbers = sorted_numbers.data();
    request.num_atoms = natoms;
    // LAMMPS's box is restricted triclinic: a = (xprd, 0, 0), b = (xy, yprd, 0), c = (xz, yz, zprd).
    request.cell = {domain->xprd, 0.0, 0.0, domain->xy, domain->yprd, 0.0, domain->xz, domain->yz, domain->zprd};
    request.pbc = {domain->xperiodic != 0, domain->yperiodic != 0, domain->zperiodic != 0};
    request.virial = vflag_global != 0;
    request.atomic_energies = eflag_atom != 0;
    eqt::inference::SystemPotential::Result result;
    try {
      result = system_->compute(request);
    } catch (const std::exception &e) {
      error->one(FLERR, "pair_style eqt: {}", e.what());
    }
    for (int s = 0; s < natoms; s++) {
      for (int k = 0; k < 3; k++) all_forces[3 * order[s] + k] = result.forces[3 * s + k];
      if (eflag_atom) all_energies[order[s]] = result.atomic_energies[s];
    }
    if (eflag_global) eng_vdwl += result.energy;
    if (vflag_global)
      for (int k = 0; k < 6; k++) virial[k] += result.virial[k];
    if (!cluster_reported_) {
      utils::logmesg(lmp, "pair_style eqt: rank 0 evaluates the whole system ({} atoms)\n", natoms);
      cluster_reported_ = true;
    }
  }

  forces_.resize(3 * static_cast<size_t>(nlocal));
  MPI_Scatterv(all_forces.data(), counts3.data(), displs3.data(), MPI_DOUBLE, forces_.data(), 3 * nlocal, MPI_DOUBLE, 0,
               world);
  double **f = atom->f;
  for (int i = 0; i < nlocal; i++)
    for (int k = 0; k < 3; k++) f[i][k] += forces_[3 * i + k];
  if (eflag_atom) {
    energies_.resize(nlocal);
    MPI_Scatterv(all_energies.data(), counts1.data(), displs1.data(), MPI_DOUBLE, energies_.data(), nlocal, MPI_DOUBLE,
                 0, world);
    for (int i = 0; i < nlocal; i++) eatom[i] += energies_[i];
  }
}
