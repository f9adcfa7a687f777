#pragma once
// How OpenMP threads wait at the end of a parallel region, chosen before OpenMP starts.
//
// libgomp (LibTorch's OpenMP on Debian) busy-waits at every barrier by default (up to 300,000
// spins, about a millisecond). On a machine where another process competes for the cores, a
// spinning thread holds a core that its descheduled partner needs, and every one of the hundreds of
// parallel regions of a training step pays for it: training on 2 threads here slowed 15x with one
// core taken (docs/reliability.md, "Shared machines"). libgomp reads its settings only when it is
// loaded, i.e. before main(); so the `eqt` and `eqt-lammps` programs re-execute themselves once
// with the setting below, unless the user chose one (OMP_WAIT_POLICY or GOMP_SPINCOUNT set, which
// are then left alone). The Python package sets it in os.environ before it loads the module.
namespace eqt {

// The variable and value eqt sets when the user set neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT.
inline constexpr const char* kOmpWaitVariable = "OMP_WAIT_POLICY";
inline constexpr const char* kOmpWaitValue = "PASSIVE";

// Re-executes the program (/proc/self/exe, same argv) with the setting above when the user chose
// none; returns when nothing is to be done, or when the re-execution failed (eqt then runs with
// libgomp's default). EQT_OMP_WAIT=default turns this off.
void reexec_with_omp_wait_policy(char** argv);

}  // namespace eqt
