#include "eqt/core/omp_wait_policy.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace eqt {

namespace {

// Tasks running or waiting for a CPU now, besides the caller (/proc/loadavg's fourth field, the
// "R" count; the load averages themselves lag by a minute and, on virtual machines, also count
// tasks that do not compete for CPUs); -1 where it cannot be read.
long other_runnable_tasks() {
  std::ifstream loadavg("/proc/loadavg");
  double load1 = 0, load5 = 0, load15 = 0;
  char slash = 0;
  long runnable = 0, tasks = 0;
  if (!(loadavg >> load1 >> load5 >> load15 >> runnable >> slash >> tasks)) return -1;
  return runnable - 1;
}

}  // namespace

bool cores_look_busy() {
  // The fewest over five samples 2 ms apart: a process that keeps a core busy is runnable in all
  // of them, a short-lived one (a shell, a compiler finishing) rarely is.
  long others = -1;
  for (int sample = 0; sample < 5; ++sample) {
    const long now = other_runnable_tasks();
    if (now < 0) return false;
    others = sample == 0 ? now : std::min(others, now);
    if (others == 0) return false;
    ::usleep(2000);
  }
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  cpu_set_t mask;
  const long mine = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask) : online;
  // Work that other processes do on CPUs outside this process's mask does not compete with it.
  return others > std::max(0L, online - mine);
}

void reexec_with_omp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;  // the user's choice
  const char* forced = std::getenv("EQT_OMP_WAIT");
  const std::string mode = forced ? forced : "auto";
  if (mode == "spin" || mode == "default") return;
  if (mode != "passive" && !cores_look_busy()) {
    ::setenv("EQT_OMP_WAIT_CHOICE", "spin: the cores were free at start", 1);
    return;
  }
  ::setenv("EQT_OMP_WAIT_CHOICE", mode == "passive" ? "PASSIVE: EQT_OMP_WAIT=passive" : "PASSIVE: the cores were busy at start", 1);
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: go on with libgomp's default
}

}  // namespace eqt
