#include "eqt/md/thermo_log.h"

#include <fmt/format.h>

namespace eqt::md {

std::string thermo_row(const MdState& state) {
  const double kinetic = kinetic_energy(state);
  return fmt::format("{},{},{},{},{},{}", state.step, state.time_fs, state.potential_energy, kinetic,
                     state.potential_energy + kinetic, temperature_of_kinetic_energy(kinetic, state.num_atoms()));
}

ThermoLog::ThermoLog(const std::filesystem::path& path) : file_(path, data::has_gzip_extension(path)) {
  file_.write(std::string(kThermoHeader) + "\n");
}

ThermoLog::ThermoLog(const std::filesystem::path& path, const std::string& temp_name, uint64_t size)
    : file_(path, data::has_gzip_extension(path), temp_name, size) {}

void ThermoLog::write(const MdState& state) { file_.write(thermo_row(state) + "\n"); }

void ThermoLog::commit() { file_.commit(); }

}  // namespace eqt::md
