// `eqt md`: molecular dynamics of one structure with a model: velocity Verlet (NVE) or Langevin
// (NVT), extxyz trajectory, CSV thermo log, and the NVE energy drift in the final summary.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

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
#include "eqt/md/restart.h"
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
  std::string restart_file;  // empty: TRAJ.restart, else LOG.restart, else none
  int64_t restart_every = 1000;
  bool resume = false;
  ModelLoadOptions load;  // --ecse, --ecse-fallback, --ecse-pruning, --device
};

void check_options(const MdOptions& opt) {
  if (!(opt.dt_fs > 0)) fail("--dt must be > 0 fs, not {}", opt.dt_fs);
  if (opt.thermostat == "langevin" && opt.temperature_k < 0) fail("--thermostat langevin needs --temperature K");
  if (opt.friction_per_fs < 0) fail("--friction must be >= 0 (1/fs), not {}", opt.friction_per_fs);
}

std::string restart_path(const MdOptions& opt) {
  if (opt.restart_every <= 0) return "";
  if (!opt.restart_file.empty()) return opt.restart_file;
  if (!opt.trajectory.empty()) return opt.trajectory + ".restart";
  if (!opt.log.empty()) return opt.log + ".restart";
  return "";
}

// What a continued run must share with the run that wrote the restart file: everything that
// changes the dynamics or the files written. (--threads is not here: runs with other thread
// counts continue fine, but only the same count is guaranteed bit for bit.)
nlohmann::json settings_of(const MdOptions& opt) {
  return {{"model", opt.model_dir},
          {"input", opt.input},
          {"frame", opt.frame},
          {"steps", opt.steps},
          {"dt", opt.dt_fs},
          {"thermostat", opt.thermostat},
          {"temperature", opt.temperature_k},
          {"init-temperature", opt.init_temperature_k},
          {"exact-init-temperature", opt.exact_init_temperature},
          {"friction", opt.friction_per_fs},
          {"seed", opt.seed},
          {"skin", opt.skin},
          {"traj", opt.trajectory},
          {"traj-every", opt.trajectory_every},
          {"log", opt.log},
          {"log-every", opt.log_every},
          {"restart-every", opt.restart_every},
          {"dtype", opt.dtype},
          {"ecse", opt.load.ecse},
          {"ecse-fallback", opt.load.ecse_fallback},
          {"ecse-pruning", opt.load.ecse_pruning},
          {"device", opt.load.device}};
}

void check_same_settings(const nlohmann::json& saved, const MdOptions& opt, const std::string& file) {
  const nlohmann::json now = settings_of(opt);
  for (const auto& [key, value] : now.items()) {
    if (!saved.contains(key)) fail("{}: written without --{}; start the run again without --resume", file, key);
    if (saved[key] != value) {
      fail("{}: the run was started with --{} {}, this command has {}; --resume needs the same options", file, key,
           saved[key].dump(), value.dump());
    }
  }
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

// The files written and the statistics gathered as the run goes; all of it survives a restart.
class Observers {
 public:
  explicit Observers(const MdOptions& opt) : opt_(opt), second_half_{opt.steps / 2} {}

  void start_outputs() {
    if (!opt_.trajectory.empty()) trajectory_ = std::make_unique<md::TrajectoryWriter>(opt_.trajectory);
    if (!opt_.log.empty()) log_ = std::make_unique<md::ThermoLog>(opt_.log);
  }

  void observe(const md::MdState& s) {
    drift_.add(s.time_fs, s.potential_energy + md::kinetic_energy(s));
    jumps_.add(s.step, s.potential_energy + md::kinetic_energy(s));
    second_half_.add(s);
    if (trajectory_ && s.step % opt_.trajectory_every == 0) trajectory_->write(s);
    if (log_ && s.step % opt_.log_every == 0) log_->write(s);
  }

  // The partial files are synced first, so that the restart file never points past their end.
  void save(md::Restart& r) {
    nlohmann::json outputs = nlohmann::json::object();
    if (trajectory_) {
      const uint64_t size = trajectory_->checkpoint();
      outputs["traj"] = {{"temp", trajectory_->temp_name()}, {"size", size}, {"frames", trajectory_->frames()}};
    }
    if (log_) {
      const uint64_t size = log_->checkpoint();
      outputs["log"] = {{"temp", log_->temp_name()}, {"size", size}};
    }
    r.extra["outputs"] = outputs;
    r.series["energy_drift"] = drift_.save();
    r.series["energy_jumps"] = jumps_.save();
    r.series["temperature_mean"] = {static_cast<double>(second_half_.count), second_half_.sum};
  }

  // Continues the partial files from the restart point (truncating what a killed run wrote
  // after it). A finished run's files were already renamed into place: nothing to continue.
  void restore(const md::Restart& r, const std::string& file, bool finished) {
    const nlohmann::json& outputs = r.extra.at("outputs");
    if (!opt_.trajectory.empty()) {
      const nlohmann::json& t = outputs.at("traj");
      if (!finished || partial_exists(opt_.trajectory, t)) {
        trajectory_ = std::make_unique<md::TrajectoryWriter>(opt_.trajectory, t.at("temp").get<std::string>(),
                                                             t.at("size").get<uint64_t>(), t.at("frames").get<int64_t>());
      }
    }
    if (!opt_.log.empty()) {
      const nlohmann::json& l = outputs.at("log");
      if (!finished || partial_exists(opt_.log, l)) {
        log_ = std::make_unique<md::ThermoLog>(opt_.log, l.at("temp").get<std::string>(), l.at("size").get<uint64_t>());
      }
    }
    drift_.restore(series(r, "energy_drift", file));
    jumps_.restore(series(r, "energy_jumps", file));
    const std::vector<double> mean = series(r, "temperature_mean", file);
    if (mean.size() != 2) fail("{}: series temperature_mean has {} numbers, not 2", file, mean.size());
    second_half_.count = static_cast<int64_t>(mean[0]);
    second_half_.sum = mean[1];
  }

  void commit() {
    if (trajectory_) trajectory_->commit();
    if (log_) log_->commit();
  }

  int64_t frames() const { return trajectory_ ? trajectory_->frames() : 0; }
  const md::EnergyDrift& drift() const { return drift_; }
  const md::EnergyJumps& jumps() const { return jumps_; }
  const TemperatureMean& second_half() const { return second_half_; }

 private:
  // A finished run renames its partial files; a kill during that leaves some of each.
  static bool partial_exists(const std::string& target, const nlohmann::json& entry) {
    const auto temp = std::filesystem::path(target).parent_path() / entry.at("temp").get<std::string>();
    if (std::filesystem::exists(temp)) return true;
    if (!std::filesystem::exists(target)) fail("{}: neither it nor its partial file {} exists", target, temp.string());
    return false;
  }
  static const std::vector<double>& series(const md::Restart& r, const std::string& name, const std::string& file) {
    const auto it = r.series.find(name);
    if (it == r.series.end()) fail("{}: MD restart file without the series '{}'", file, name);
    return it->second;
  }

  const MdOptions& opt_;
  std::unique_ptr<md::TrajectoryWriter> trajectory_;
  std::unique_ptr<md::ThermoLog> log_;
  md::EnergyDrift drift_;
  md::EnergyJumps jumps_;
  TemperatureMean second_half_;
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

// The restart file's state, checked against this command line and the input frame.
md::Restart load_restart(const std::string& file, const MdOptions& opt, const data::Structure& frame) {
  md::Restart r = md::read_restart(file);
  if (!r.extra.contains("settings") || !r.extra.contains("outputs") || !r.extra.contains("counts")) {
    fail("{}: not written by `eqt md` (no settings, outputs or counts)", file);
  }
  check_same_settings(r.extra["settings"], opt, file);
  if (!at::equal(r.state.numbers, frame.numbers.to(at::kLong))) {
    fail("{}: its atoms differ from those of {} frame {}", file, opt.input, opt.frame);
  }
  return r;
}

// A kill while a restart file was being written leaves its temporary (RESTART.tmp.XXXXXX).
void remove_partial_restart_files(const std::string& restart_file) {
  if (restart_file.empty()) return;
  const std::filesystem::path path(restart_file);
  const std::filesystem::path dir = path.parent_path().empty() ? "." : path.parent_path();
  const std::string prefix = path.filename().string() + ".tmp.";
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ignored)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove(entry.path(), ignored);
  }
}

// Where the dynamics continue from: a fresh state, or the restart file's.
struct Start {
  md::MdState state;
  std::optional<md::Restart> restart;
  std::string description;
};

Start make_start(const MdOptions& opt, const std::string& restart_file, const data::Structure& frame,
                 const std::string& where) {
  Start start;
  remove_partial_restart_files(restart_file);
  if (opt.resume) {
    if (!std::filesystem::exists(restart_file)) {
      fail("{}: no restart file (the run wrote none yet?); run the command without --resume to start", restart_file);
    }
    start.restart = load_restart(restart_file, opt, frame);
    start.state = start.restart->state;
    start.description = fmt::format("continued from {} at step {}", restart_file, start.state.step);
    return start;
  }
  start.state = md::state_from_structure(frame, where);
  start.description = "initial velocities: " + initialise_velocities(start.state, frame, opt, where);
  // A stale restart file of an earlier run must not be taken for this one's.
  if (!restart_file.empty()) std::filesystem::remove(restart_file);
  return start;
}

void write_restart_point(const std::string& file, const md::MdState& state, const MdOptions& opt,
                         const md::Integrator& integrator, md::ModelForces& forces, Observers& observers) {
  md::Restart r;
  r.state = state;
  r.random_state = integrator.random_state();
  r.extra["settings"] = settings_of(opt);
  r.extra["counts"] = {{"evaluations", forces.evaluations()}, {"builds", forces.neighbour_list().builds()}};
  observers.save(r);
  md::write_restart(file, r);
  forces.invalidate_neighbour_list();
}

int run_md(const MdOptions& opt) {
  check_options(opt);
  if (opt.threads > 0) set_num_threads(opt.threads);
  const std::string restart_file = restart_path(opt);
  if (opt.resume && restart_file.empty()) fail("--resume needs a restart file: --restart-file, --traj or --log, and --restart-every > 0");
  const auto dtype = parse_dtype(opt.dtype);
  const inference::InferenceModel loaded =
      inference::load_inference_model(opt.model_dir, opt.load.with_dtype(dtype));
  const std::string where = fmt::format("{}: frame {}", opt.input, opt.frame);
  const data::Structure frame = data::read_extxyz_frame(opt.input, opt.frame);
  inference::check_species(frame, loaded.species, where);
  Start start = make_start(opt, restart_file, frame, where);
  md::MdState& state = start.state;
  auto integrator = make_integrator(opt);
  md::ModelForces forces(loaded.model, dtype, opt.skin);
  fmt::print(stderr, "model: {}\n", inference::describe_model(loaded));
  fmt::print(stderr, "system: {} atoms, {}; {}\n", state.num_atoms(),
             state.periodic() ? "periodic" : "open boundaries", start.description);
  fmt::print(stderr, "dynamics: {}, dt {} fs, {} steps\n", integrator->name(), opt.dt_fs, opt.steps);

  Observers observers(opt);
  const bool finished_before = start.restart && state.step == opt.steps;
  if (start.restart) {
    integrator->restore_random_state(start.restart->random_state);
    const nlohmann::json& counts = start.restart->extra["counts"];
    forces.set_counts(counts.at("evaluations").get<int64_t>(), counts.at("builds").get<int64_t>());
    observers.restore(*start.restart, restart_file, finished_before);
  } else {
    observers.start_outputs();
  }
  ProgressOptions progress_options;
  progress_options.unit = "steps";
  progress_options.line_every = std::max<int64_t>(1, opt.steps / 10);
  Progress progress("md", opt.steps - state.step, progress_options);
  const auto observe = [&](const md::MdState& s) {
    observers.observe(s);
    if (!restart_file.empty() && s.step > 0 && (s.step % opt.restart_every == 0 || s.step == opt.steps)) {
      write_restart_point(restart_file, s, opt, *integrator, forces, observers);
    }
    if (s.step > 0) progress.advance();
  };
  const auto clock = std::chrono::steady_clock::now();
  if (start.restart) {
    md::continue_dynamics(state, *integrator, forces, opt.steps, observe);
  } else {
    md::run_dynamics(state, *integrator, forces, opt.steps, observe);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
  progress.finish();
  observers.commit();
  print_summary(opt, state, observers.drift(), observers.jumps(), observers.second_half(), forces, wall);
  if (finished_before) {
    fmt::print(stderr, "the run had already finished at step {}; its files are complete\n", opt.steps);
    return 0;
  }
  if (!opt.trajectory.empty()) fmt::print(stderr, "wrote {} frames to {}\n", observers.frames(), opt.trajectory);
  if (!opt.log.empty()) fmt::print(stderr, "wrote the thermo log to {}\n", opt.log);
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
      "renamed onto their names at the end; the summary reports the energy drift in eV/atom/ps.\n"
      "Restart: every --restart-every steps and at the end, a restart file (default TRAJ.restart, else\n"
      "LOG.restart) holds the state, the Langevin random numbers and how far the partial trajectory and\n"
      "log got. After a kill, the same command with --resume continues bit for bit as if uninterrupted.");
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
  c.app->add_option("--restart-every", opt->restart_every,
                    "write a restart file every N steps and at the end (0: never)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c.app->add_option("--restart-file", opt->restart_file,
                    "restart file to write / continue from (default: TRAJ.restart, else LOG.restart)");
  c.app->add_flag("--resume", opt->resume,
                  "continue a killed run from its restart file; give the same options as the run had");
  add_model_load_options(*c.app, opt->load);
  c.run = [opt]() { return run_md(*opt); };
  return c;
}

}  // namespace eqt::cli
