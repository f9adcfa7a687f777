// `eqt md`: molecular dynamics of one structure with a model: velocity Verlet (NVE) or Langevin
// (NVT), extxyz trajectory, CSV thermo log, and the NVE energy drift in the final summary.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "eqt/cli/commands.h"
#include "eqt/cli/progress.h"
#include "eqt/core/dtype.h"
#include "eqt/core/error.h"
#include "eqt/core/threads.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/md/energy_drift.h"
#include "eqt/md/energy_jumps.h"
#include "eqt/md/langevin.h"
#include "eqt/md/maxwell_boltzmann.h"
#include "eqt/md/model_forces.h"
#include "eqt/md/run.h"
#include "eqt/md/thermo_log.h"
#include "eqt/md/trajectory_writer.h"
#include "eqt/md/velocity_verlet.h"

namespace eqt::cli {
namespace {

struct MdOptions {
  std::string model_dir, input;
  int64_t frame = 0;
  int64_t steps = 0;
  double dt_fs = 0.0;
  std::string thermostat = "nve";
  double temperature_k = -1.0;       // < 0: not given
  double init_temperature_k = -1.0;  // < 0: not given
  bool exact_init_temperature = false;
  double friction_per_fs = 0.01;
  uint64_t seed = 0;
  double skin = 1.0;
  std::string trajectory;
  int64_t trajectory_every = 10;
  std::string log;
  int64_t log_every = 1;
  std::string dtype = "float64";
  int threads = 0;
  ModelLoadOptions load;  // --ecse, --ecse-fallback, --ecse-pruning, --device
};

void check_options(const MdOptions& opt) {
  if (!(opt.dt_fs > 0)) fail("--dt must be > 0 fs, not {}", opt.dt_fs);
  if (opt.thermostat == "langevin" && opt.temperature_k < 0) fail("--thermostat langevin needs --temperature K");
  if (opt.friction_per_fs < 0) fail("--friction must be >= 0 (1/fs), not {}", opt.friction_per_fs);
}

// --init-temperature, else velocities stored in the frame, else --temperature, else at rest.
std::string initialise_velocities(md::MdState& state, const data::Structure& frame, const MdOptions& opt,
                                  const std::string& where) {
  double temperature = opt.init_temperature_k;
  if (temperature < 0) {
    if (md::read_velocities(frame, state, where)) return "from the input frame";
    temperature = opt.temperature_k;
  }
  if (temperature < 0) return "zero (no --init-temperature or --temperature)";
  md::GaussianSource random(opt.seed);
  md::MaxwellBoltzmannOptions mb;
  mb.temperature_k = temperature;
  mb.exact_temperature = opt.exact_init_temperature;
  md::maxwell_boltzmann_velocities(state, random, mb);
  return fmt::format("Maxwell-Boltzmann at {} K (seed {})", temperature, opt.seed);
}

std::unique_ptr<md::Integrator> make_integrator(const MdOptions& opt) {
  if (opt.thermostat == "nve") return std::make_unique<md::VelocityVerlet>(opt.dt_fs);
  md::LangevinOptions langevin;
  langevin.temperature_k = opt.temperature_k;
  langevin.friction_per_fs = opt.friction_per_fs;
  // A different stream from the initial velocities', which use the seed itself.
  langevin.seed = opt.seed + 0x9E3779B97F4A7C15ULL;
  return std::make_unique<md::Langevin>(opt.dt_fs, langevin);
}

// Running mean of the temperature over the second half of the run.
struct TemperatureMean {
  int64_t from_step = 0, count = 0;
  double sum = 0;
  void add(const md::MdState& s) {
    if (s.step < from_step) return;
    sum += md::temperature(s);
    ++count;
  }
  double mean() const { return count > 0 ? sum / static_cast<double>(count) : 0.0; }
};

void print_summary(const MdOptions& opt, const md::MdState& state, const md::EnergyDrift& drift,
                   const md::EnergyJumps& jumps, const TemperatureMean& second_half, const md::ModelForces& forces,
                   double wall_seconds) {
  const double simulated_ns = static_cast<double>(opt.steps) * opt.dt_fs * 1e-6;
  fmt::print("steps: {} ({} fs)\n", opt.steps, state.time_fs);
  fmt::print("final: potential {} eV, kinetic {} eV, temperature {:.2f} K\n", state.potential_energy,
             md::kinetic_energy(state), md::temperature(state));
  fmt::print("mean temperature over the second half: {:.2f} K\n", second_half.mean());
  const std::string note = opt.thermostat == "nve" ? "" : " (Langevin: total energy is not conserved)";
  fmt::print("energy drift: {:.6g} eV/atom/ps (linear fit of the total energy), max |E - E0| {:.6g} eV{}\n",
             drift.ev_per_atom_per_ps(state.num_atoms()), drift.max_deviation_ev(), note);
  if (opt.thermostat == "nve") {
    fmt::print("largest energy change in one step: {:.4g} eV (step {}), typical {:.4g} eV\n",
               jumps.largest_step_change_ev(), jumps.largest_at_step(), jumps.typical_step_change_ev());
    const std::string warning = jumps.warning();
    if (!warning.empty()) fmt::print("{}\n", warning);
  }
  fmt::print("neighbour-list builds: {} (skin {} A), force evaluations: {}\n", forces.neighbour_list().builds(),
             opt.skin, forces.evaluations());
  if (wall_seconds > 0) {
    fmt::print("speed: {:.4g} ns/day, {:.4g} steps/s\n", simulated_ns / (wall_seconds / 86400.0),
               static_cast<double>(opt.steps) / wall_seconds);
  }
}

int run_md(const MdOptions& opt) {
  check_options(opt);
  if (opt.threads > 0) set_num_threads(opt.threads);
  const auto dtype = parse_dtype(opt.dtype);
  const inference::InferenceModel loaded =
      inference::load_inference_model(opt.model_dir, opt.load.with_dtype(dtype));
  const std::string where = fmt::format("{}: frame {}", opt.input, opt.frame);
  const data::Structure frame = data::read_extxyz_frame(opt.input, opt.frame);
  md::MdState state = md::state_from_structure(frame, where);
  inference::check_species(frame, loaded.species, where);
  const std::string velocities = initialise_velocities(state, frame, opt, where);
  auto integrator = make_integrator(opt);
  md::ModelForces forces(loaded.model, dtype, opt.skin);
  fmt::print(stderr, "model: {}\n", inference::describe_model(loaded));
  fmt::print(stderr, "system: {} atoms, {}; initial velocities: {}\n", state.num_atoms(),
             state.periodic() ? "periodic" : "open boundaries", velocities);
  fmt::print(stderr, "dynamics: {}, dt {} fs, {} steps\n", integrator->name(), opt.dt_fs, opt.steps);

  std::unique_ptr<md::TrajectoryWriter> trajectory;
  if (!opt.trajectory.empty()) trajectory = std::make_unique<md::TrajectoryWriter>(opt.trajectory);
  std::unique_ptr<md::ThermoLog> log;
  if (!opt.log.empty()) log = std::make_unique<md::ThermoLog>(opt.log);
  md::EnergyDrift drift;
  md::EnergyJumps jumps;
  TemperatureMean second_half{opt.steps / 2};
  ProgressOptions progress_options;
  progress_options.unit = "steps";
  progress_options.line_every = std::max<int64_t>(1, opt.steps / 10);
  Progress progress("md", opt.steps, progress_options);
  const auto start = std::chrono::steady_clock::now();
  md::run_dynamics(state, *integrator, forces, opt.steps, [&](const md::MdState& s) {
    drift.add(s.time_fs, s.potential_energy + md::kinetic_energy(s));
    jumps.add(s.step, s.potential_energy + md::kinetic_energy(s));
    second_half.add(s);
    if (trajectory && s.step % opt.trajectory_every == 0) trajectory->write(s);
    if (log && s.step % opt.log_every == 0) log->write(s);
    if (s.step > 0) progress.advance();
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress.finish();
  if (trajectory) trajectory->commit();
  if (log) log->commit();
  print_summary(opt, state, drift, jumps, second_half, forces, wall);
  if (trajectory) fmt::print(stderr, "wrote {} frames to {}\n", trajectory->frames(), opt.trajectory);
  if (log) fmt::print(stderr, "wrote the thermo log to {}\n", opt.log);
  return 0;
}

}  // namespace

Command add_md(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<MdOptions>();
  Command c;
  c.app = root.add_subcommand("md", "run molecular dynamics with a model (NVE velocity Verlet or Langevin NVT)");
  c.app->footer(
      "Units: time in fs, velocities in Angstrom/fs, energies in eV, temperatures in K, friction in 1/fs.\n"
      "Initial velocities: Maxwell-Boltzmann at --init-temperature if given, else the frame's own\n"
      "velocities / ASE momenta if it has them, else Maxwell-Boltzmann at --temperature, else zero.\n"
      "The trajectory (energy, forces, velocities, ASE momenta) and the CSV thermo log\n"
      "(step,time_fs,potential_eV,kinetic_eV,total_eV,temperature_K) are written to temporary files\n"
      "renamed onto their names at the end; the summary reports the energy drift in eV/atom/ps.");
  c.app->add_option("--model", opt->model_dir, "model directory, official export, or training run directory")->required();
  c.app->add_option("--input", opt->input, "extxyz file with the starting structure")
      ->required()
      ->check(CLI::ExistingFile);
  c.app->add_option("--frame", opt->frame, "frame of --input to start from (0-based; -1: the last)")
      ->capture_default_str();
  c.app->add_option("--steps", opt->steps, "number of MD steps")->required()->check(CLI::NonNegativeNumber);
  c.app->add_option("--dt", opt->dt_fs, "time step in fs")->required();
  c.app->add_option("--thermostat", opt->thermostat, "nve: velocity Verlet; langevin: BAOAB Langevin at --temperature")
      ->check(CLI::IsMember({"nve", "langevin"}))
      ->capture_default_str();
  c.app->add_option("--temperature", opt->temperature_k, "Langevin target temperature in K")
      ->check(CLI::NonNegativeNumber);
  c.app->add_option("--init-temperature", opt->init_temperature_k, "Maxwell-Boltzmann initial velocities at this K")
      ->check(CLI::NonNegativeNumber);
  c.app->add_flag("--exact-init-temperature", opt->exact_init_temperature,
                  "rescale the initial velocities to exactly the initial temperature");
  c.app->add_option("--friction", opt->friction_per_fs, "Langevin friction in 1/fs")->capture_default_str();
  c.app->add_option("--seed", opt->seed, "random seed (initial velocities, Langevin noise)")->capture_default_str();
  c.app->add_option("--skin", opt->skin, "neighbour-list skin in Angstrom (0: rebuild every step)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c.app->add_option("--traj", opt->trajectory, "extxyz trajectory to write (.gz: compressed)");
  c.app->add_option("--traj-every", opt->trajectory_every, "write a trajectory frame every N steps")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--log", opt->log, "CSV thermo log to write");
  c.app->add_option("--log-every", opt->log_every, "write a thermo row every N steps")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--dtype", opt->dtype, "precision of the model's computation")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  c.app->add_option("--threads", opt->threads, "intra-op threads (default: as `eqt --threads`, all cores)")
      ->check(CLI::NonNegativeNumber);
  add_model_load_options(*c.app, opt->load);
  c.run = [opt]() { return run_md(*opt); };
  return c;
}

}  // namespace eqt::cli
