// `eqt check`: model diagnostics no peer ships. For one structure: energy and force jumps where a
// neighbour crosses the cutoff, forces against finite differences, symmetry errors, and whether
// the NVE energy error converges with dt. A table on stdout, JSON with --json, exit 1 when a check
// fails. The checks themselves live in eqt/check.
#include <fmt/format.h>

#include <memory>

#include "eqt/check/model_check.h"
#include "eqt/cli/commands.h"
#include "eqt/core/dtype.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/output_file.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/md/state.h"

namespace eqt::cli {
namespace {

struct CheckCliOptions {
  std::string model_dir, input, json;
  int64_t frame = 0;
  std::string dtype = "float64";
  ModelLoadOptions load;  // --ecse, --ecse-fallback, --ecse-pruning, --device
  check::ModelCheckOptions checks;
  bool skip_nve = false;
};

void print_table(const std::vector<check::CheckResult>& results) {
  fmt::print("{:<26} {:>12} {:>10}  {:<6} {}\n", "check", "value", "threshold", "result", "detail");
  for (const auto& r : results) {
    fmt::print("{:<26} {:>12.4g} {:>10.3g}  {:<6} {}\n", r.name, r.value, r.threshold, check::verdict_name(r.verdict),
               r.detail);
  }
}

void write_json(const std::string& path, const CheckCliOptions& opt, const std::string& kind,
                const std::vector<check::CheckResult>& results, bool passed) {
  nlohmann::json out = {{"model", opt.model_dir}, {"kind", kind},     {"input", opt.input},
                        {"frame", opt.frame},     {"dtype", opt.dtype}, {"passed", passed}};
  out["checks"] = nlohmann::json::array();
  for (const auto& r : results) out["checks"].push_back(check::to_json(r));
  data::AtomicOutputFile file(path, false);
  file.write(out.dump(2) + "\n");
  file.commit();
}

int run_check(const CheckCliOptions& opt) {
  const auto dtype = parse_dtype(opt.dtype);
  const inference::InferenceModel loaded =
      inference::load_inference_model(opt.model_dir, opt.load.with_dtype(dtype));
  fmt::print(stderr, "model: {}\n", inference::describe_model(loaded));
  const std::string where = fmt::format("{}: frame {}", opt.input, opt.frame);
  const data::Structure frame = data::read_extxyz_frame(opt.input, opt.frame);
  const md::MdState state = md::state_from_structure(frame, where);
  inference::check_species(frame, loaded.species, where);
  check::ModelCheckOptions options = dtype == at::kFloat ? check::for_float32(opt.checks) : opt.checks;
  options.run_nve = !opt.skip_nve;
  check::Probe probe(loaded.model, dtype);
  const auto results = check::run_model_checks(probe, state, options);
  int failed = 0;
  for (const auto& r : results) failed += r.verdict == check::Verdict::Fail;
  print_table(results);
  fmt::print("{} model evaluations; {}\n", probe.evaluations(),
             failed == 0 ? std::string("all checks passed") : fmt::format("{} check(s) FAILED", failed));
  if (!opt.json.empty()) write_json(opt.json, opt, loaded.model->kind(), results, failed == 0);
  return failed == 0 ? 0 : 1;
}

}  // namespace

Command add_check(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<CheckCliOptions>();
  auto& o = opt->checks;
  Command c;
  c.app = root.add_subcommand("check", "diagnose a model on a structure: cutoff smoothness, forces, symmetry, NVE");
  c.app->footer(
      "Checks, each with its threshold and a pass/FAIL verdict (info: measured, not guaranteed):\n"
      "  cutoff_energy_jump / cutoff_force_jump: neighbour pairs moved to cutoff -+ h; the energy\n"
      "    jump is |E+ - E- + (F+ + F-).u h| (what the forces do not account for), eV; forces eV/A\n"
      "  finite_difference_forces: max |F - F_fd|, central differences with step --fd-step\n"
      "  rotation, inversion, permutation, translation: |dE|/N and max |dF| of the moved structure\n"
      "    (a symmetry the architecture does not guarantee exactly is reported as info)\n"
      "  nve_convergence: max|E-E0| at dt over that at dt/2, same simulated time (~4 for velocity\n"
      "    Verlet; ~1 when the energy surface jumps)\n"
      "Thresholds are for float64 (the default); --dtype float32 loosens them to float32's precision.\n"
      "Exit status: 0 all checks passed, 1 a check failed or an error.");
  c.app->add_option("--model", opt->model_dir, "model directory, official export, or training run directory")->required();
  c.app->add_option("--input", opt->input, "extxyz file with the structure")->required()->check(CLI::ExistingFile);
  c.app->add_option("--frame", opt->frame, "frame of --input (0-based; -1: the last)")->capture_default_str();
  c.app->add_option("--json", opt->json, "write the results as JSON to this file");
  c.app->add_option("--dtype", opt->dtype, "precision of the model's computation")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  add_model_load_options(*c.app, opt->load);
  c.app->add_option("--max-pairs", o.cutoff.max_pairs, "neighbour pairs moved across the cutoff")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--cutoff-step", o.cutoff.h, "h: distance on each side of the cutoff, Angstrom")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--fd-step", o.finite_difference.h, "finite-difference step, Angstrom")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--fd-components", o.finite_difference.max_components, "force components checked")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--dt", o.nve.dt_fs, "NVE time step in fs (the second run uses dt/2)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--steps", o.nve.steps, "NVE steps at dt")->check(CLI::PositiveNumber)->capture_default_str();
  c.app->add_option("--temperature", o.nve.temperature_k, "initial temperature of the NVE runs, K")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  c.app->add_option("--seed", o.nve.seed, "random seed (velocities, rotations, permutation)")->capture_default_str();
  c.app->add_flag("--no-nve", opt->skip_nve, "skip the NVE convergence check");
  c.run = [opt]() {
    opt->checks.symmetry.seed = opt->checks.nve.seed;
    return run_check(*opt);
  };
  return c;
}

}  // namespace eqt::cli
