#pragma once
// Which process of a parallel launch this is, read from the environment the launcher exports:
//   torchrun / SLURM-style scripts: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT;
//   Open MPI's mpirun: OMPI_COMM_WORLD_RANK, OMPI_COMM_WORLD_SIZE, OMPI_COMM_WORLD_LOCAL_RANK;
//   MPICH / Intel MPI (Hydra): PMI_RANK, PMI_SIZE;
//   srun without a launcher: SLURM_PROCID, SLURM_STEP_NUM_TASKS, SLURM_LOCALID (the step's tasks,
//   not the job's SLURM_NTASKS, which a batch script also sees when it runs eqt as one process).
// The first complete set wins, in that order. MASTER_ADDR (default 127.0.0.1: one machine) and
// MASTER_PORT (default 29500, torch's) locate rank 0's rendezvous store under every launcher.
#include <chrono>
#include <string>

namespace eqt::parallel {

struct LaunchInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string launcher = "none";  // "torchrun", "mpirun", "pmi", "slurm" or "none"
  // How long a rank waits for the rendezvous and for each collective before giving up with an
  // error ($EQT_DISTRIBUTED_TIMEOUT seconds, default 300).
  std::chrono::seconds timeout{300};
};

// Throws eqt::Error naming the variable when one is malformed (a rank outside [0, size), a size
// below 1, a port outside 1..65535).
LaunchInfo launch_info_from_environment();

}  // namespace eqt::parallel
