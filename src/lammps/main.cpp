// eqt-lammps: Debian's LAMMPS (liblammps) with pair style eqt built in. It takes the same
// command-line arguments as `lmp` (-in, -var, -log, -screen, ...), which it hands to LAMMPS
// unchanged, and runs under mpirun like lmp. Debian's lmp has no PLUGIN package, so the style is
// registered into the instance the way that package would: an entry in Force's pair_map.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>

#include "input.h"
#include "lammps.h"
#include "eqt/core/allocator.h"
#include "eqt/core/omp_wait_policy.h"
#include "eqt/core/torch_warnings.h"
#include "pair_eqt.h"

int main(int argc, char **argv)
{
  eqt::reexec_with_omp_wait_policy(argv);  // before MPI and OpenMP start (core/omp_wait_policy.h)
  MPI_Init(&argc, &argv);
  eqt::install_torch_warning_handler();
  eqt::keep_freed_memory_for_reuse();  // as the eqt command does: no page faults per step on fresh mappings
  try {
    auto *lammps = new LAMMPS_NS::LAMMPS(argc, argv, MPI_COMM_WORLD);
    LAMMPS_NS::PairEQT::register_style(lammps);
    lammps->input->file();
    delete lammps;
  } catch (const std::exception &e) {
    fprintf(stderr, "eqt-lammps: %s\n", e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
