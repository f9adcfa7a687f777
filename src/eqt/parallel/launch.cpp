#include "eqt/parallel/launch.h"

#include <cstdlib>
#include <optional>

#include "eqt/core/error.h"

namespace eqt::parallel {

namespace {

std::optional<std::string> variable(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

long integer(const char* name, const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0') fail("environment variable {}='{}' is not an integer", name, text);
  return value;
}

// rank, size, local rank variables of one launcher; true when its rank and size are both set.
bool read_launcher(LaunchInfo& info, const char* launcher, const char* rank, const char* size, const char* local) {
  const auto r = variable(rank), s = variable(size);
  if (!r || !s) return false;
  info.launcher = launcher;
  info.rank = static_cast<int>(integer(rank, *r));
  info.world_size = static_cast<int>(integer(size, *s));
  const auto l = local ? variable(local) : std::nullopt;
  info.local_rank = l ? static_cast<int>(integer(local, *l)) : 0;
  if (info.world_size < 1) fail("environment variable {}={}: the number of ranks must be at least 1", size, *s);
  if (info.rank < 0 || info.rank >= info.world_size) {
    fail("environment variable {}={} is outside 0..{} ({}={})", rank, *r, info.world_size - 1, size, *s);
  }
  return true;
}

}  // namespace

LaunchInfo launch_info_from_environment() {
  LaunchInfo info;
  read_launcher(info, "torchrun", "RANK", "WORLD_SIZE", "LOCAL_RANK") ||
      read_launcher(info, "mpirun", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK") ||
      read_launcher(info, "pmi", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID") ||
      read_launcher(info, "slurm", "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", "SLURM_LOCALID");
  if (const auto addr = variable("MASTER_ADDR")) info.master_addr = *addr;
  if (const auto port = variable("MASTER_PORT")) {
    info.master_port = static_cast<int>(integer("MASTER_PORT", *port));
    if (info.master_port < 1 || info.master_port > 65535) fail("environment variable MASTER_PORT={} is not a port", *port);
  }
  if (const auto timeout = variable("EQT_DISTRIBUTED_TIMEOUT")) {
    const long seconds = integer("EQT_DISTRIBUTED_TIMEOUT", *timeout);
    if (seconds < 1) fail("environment variable EQT_DISTRIBUTED_TIMEOUT={}: give a number of seconds >= 1", *timeout);
    info.timeout = std::chrono::seconds(seconds);
  }
  return info;
}

}  // namespace eqt::parallel
