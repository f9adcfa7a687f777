#include "eqt/core/omp_wait_policy.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace eqt {

void reexec_with_omp_wait_policy(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") || std::getenv("GOMP_SPINCOUNT")) return;
  const char* choice = std::getenv("EQT_OMP_WAIT");
  if (choice && std::strcmp(choice, "default") == 0) return;
  ::setenv(kOmpWaitVariable, kOmpWaitValue, 1);
  ::execv("/proc/self/exe", argv);  // returns only on failure: go on with libgomp's default
}

}  // namespace eqt
