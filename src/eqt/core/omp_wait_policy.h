#pragma once
// How OpenMP threads wait at the end of a parallel region, chosen before OpenMP starts.
//
// libgomp (LibTorch's OpenMP on Debian) busy-waits at every barrier by default (up to 300,000
// spins). That is the fastest choice on cores eqt has to itself, but where another process
// competes for the cores, a spinning thread holds a core that its descheduled partner needs, and
// each of the hundreds of parallel regions of a training step pays for it: 2-thread training here
// ran 2.5x to 15x slower with one core taken. OMP_WAIT_POLICY=PASSIVE (threads sleep) removes
// that, but costs about 2x on idle cores (docs/reliability.md, "Shared machines"). So eqt chooses
// at start: PASSIVE when the machine's cores are already busy with other work, else libgomp's
// default. libgomp reads its settings only when it is loaded, i.e. before main(); so the `eqt`
// and `eqt-lammps` programs re-execute themselves once with the choice. A policy the user set
// (OMP_WAIT_POLICY or GOMP_SPINCOUNT) is left alone; EQT_OMP_WAIT=passive or spin forces one.
namespace eqt {

// Re-executes the program (/proc/self/exe, same argv) with OMP_WAIT_POLICY=PASSIVE when that is
// the choice; returns when nothing is to be done, or when the re-execution failed (eqt then runs
// with libgomp's default). Records the choice and its reason in EQT_OMP_WAIT_CHOICE.
void reexec_with_omp_wait_policy(char** argv);

// True when other processes keep the cores busy: in each of five samples over 10 ms, more tasks
// besides this process are running or waiting for a CPU than there are CPUs outside this
// process's affinity mask.
bool cores_look_busy();

}  // namespace eqt
