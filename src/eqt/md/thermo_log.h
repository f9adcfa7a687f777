#pragma once
// The CSV thermo log: one row per logged step,
//   step,time_fs,potential_eV,kinetic_eV,total_eV,temperature_K
// with numbers in shortest round-trip form. Written through data::AtomicOutputFile: rows go to a
// temporary file beside the target as they come (a killed run leaves only that, never a file
// under the target name that looks complete), renamed onto the target by commit().
#include <filesystem>
#include <memory>

#include "eqt/data/output_file.h"
#include "eqt/md/state.h"

namespace eqt::md {

inline constexpr const char* kThermoHeader = "step,time_fs,potential_eV,kinetic_eV,total_eV,temperature_K";

class ThermoLog {
 public:
  explicit ThermoLog(const std::filesystem::path& path);
  // Continues the partial file of a killed run at a restart point (data::AtomicOutputFile); the
  // header is already in its first `size` bytes.
  ThermoLog(const std::filesystem::path& path, const std::string& temp_name, uint64_t size);
  void write(const MdState& state);
  uint64_t checkpoint() { return file_.checkpoint(); }
  std::string temp_name() const { return file_.temp_name(); }
  void commit();

 private:
  data::AtomicOutputFile file_;
};

// One row (without newline); also what the CLI prints.
std::string thermo_row(const MdState& state);

}  // namespace eqt::md
