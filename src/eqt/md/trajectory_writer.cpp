#include "eqt/md/trajectory_writer.h"

#include "eqt/core/units.h"
#include "eqt/data/extxyz_writer.h"

namespace eqt::md {

namespace {

void set_info(data::Structure& s, const std::string& key, const at::Tensor& value) {
  s.info[key] = value;
  s.info_order.push_back(key);
}

void set_array(data::Structure& s, const std::string& key, const at::Tensor& value) {
  s.arrays[key] = value.contiguous();
  s.array_order.push_back(key);
}

}  // namespace

data::Structure trajectory_frame(const MdState& state) {
  data::Structure s = structure_of(state);
  const double kinetic = kinetic_energy(state);
  set_info(s, "energy", at::scalar_tensor(state.potential_energy, at::kDouble));
  set_info(s, "kinetic_energy", at::scalar_tensor(kinetic, at::kDouble));
  set_info(s, "temperature", at::scalar_tensor(temperature_of_kinetic_energy(kinetic, state.num_atoms()), at::kDouble));
  set_info(s, "step", at::scalar_tensor(state.step, at::kLong));
  set_info(s, "time_fs", at::scalar_tensor(state.time_fs, at::kDouble));
  if (state.forces.defined()) set_array(s, "forces", state.forces);
  set_array(s, "velocities", state.velocities);
  // p = m v, with v converted from Angstrom/fs to Angstrom per ASE time unit.
  set_array(s, "momenta", state.masses.unsqueeze(1) * state.velocities * units::kAngstromPerFsToAseVelocity);
  return s;
}

TrajectoryWriter::TrajectoryWriter(const std::filesystem::path& path) : file_(path, data::has_gzip_extension(path)) {}

TrajectoryWriter::TrajectoryWriter(const std::filesystem::path& path, const std::string& temp_name, uint64_t size,
                                   int64_t frames)
    : file_(path, data::has_gzip_extension(path), temp_name, size), frames_(frames) {}

void TrajectoryWriter::write(const MdState& state) {
  file_.write(data::format_extxyz_frame(trajectory_frame(state)));
  ++frames_;
}

void TrajectoryWriter::commit() { file_.commit(); }

}  // namespace eqt::md
