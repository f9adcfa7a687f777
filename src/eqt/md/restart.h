#pragma once
// MD restart files: everything a run needs to continue bit for bit as if it had never stopped.
// One safetensors file (io/safetensors.h), written atomically, float64 exact:
//   tensors   numbers, masses, positions, velocities, cell, images, forces (the MdState),
//             scalars = [time_fs, potential_energy], and one float64 vector per named series
//             (observers' accumulators, e.g. the energy drift fit)
//   metadata  format = "eqt-md-restart", version = "1", step, pbc, the integrator's random state
//             (md/random.h), and `extra`: a JSON object the caller owns (`eqt md` keeps its options
//             and the partial trajectory / log files there).
// The forces are stored, not recomputed, so the continued run's first step starts from the very
// same numbers.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "eqt/md/state.h"

namespace eqt::md {

struct Restart {
  MdState state;  // forces defined
  std::string random_state;
  std::map<std::string, std::vector<double>> series;
  nlohmann::json extra = nlohmann::json::object();
};

void write_restart(const std::filesystem::path& path, const Restart& restart);

// Fails (eqt::Error naming the file) on anything write_restart would not have written: another
// format or version, missing or misshapen tensors, an atom count that differs between tensors.
Restart read_restart(const std::filesystem::path& path);

}  // namespace eqt::md
