#pragma once
// extxyz trajectory frames that ASE reads back with energies, forces and velocities:
//   info:   energy (potential, eV), kinetic_energy (eV), temperature (K), step, time_fs
//   arrays: forces (eV/A), velocities (Angstrom/fs), momenta (amu Angstrom per ASE time unit:
//           ASE's own array, so atoms.get_velocities() / get_kinetic_energy() work after ase.io.read)
// Positions are the wrapped ones. Written through data::AtomicOutputFile (see thermo_log.h).
#include <filesystem>

#include "eqt/data/output_file.h"
#include "eqt/data/structure.h"
#include "eqt/md/state.h"

namespace eqt::md {

// The frame as a Structure, ready for data::format_extxyz_frame.
data::Structure trajectory_frame(const MdState& state);

class TrajectoryWriter {
 public:
  explicit TrajectoryWriter(const std::filesystem::path& path);
  // Continues the partial file of a killed run at a restart point (data::AtomicOutputFile):
  // `size` bytes holding `frames` frames.
  TrajectoryWriter(const std::filesystem::path& path, const std::string& temp_name, uint64_t size, int64_t frames);
  void write(const MdState& state);
  // A restart point: see data::AtomicOutputFile::checkpoint.
  uint64_t checkpoint() { return file_.checkpoint(); }
  std::string temp_name() const { return file_.temp_name(); }
  void commit();
  int64_t frames() const { return frames_; }

 private:
  data::AtomicOutputFile file_;
  int64_t frames_ = 0;
};

}  // namespace eqt::md
