// `eqt eval`: a model's errors against the labels of an extxyz file, as a table, metrics.json and
// metrics.csv, parity plots per target and, for a training run directory, its learning curves.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <set>

#include "eqt/cli/commands.h"
#include "eqt/cli/progress.h"
#include "eqt/core/dtype.h"
#include "eqt/core/threads.h"
#include "eqt/inference/eval_labels.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/metrics_exchange.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/inference/relaxation_metrics.h"
#include "eqt/inference/run_defaults.h"
#include "eqt/inference/sharded_batches.h"
#include "eqt/inference/structure_batches.h"
#include "eqt/parallel/communicator.h"
#include "eqt/train/gnuplot.h"
#include "eqt/train/metrics_report.h"
#include "eqt/train/plots.h"
#include "eqt/train/training_log.h"

namespace eqt::cli {
namespace {

namespace fs = std::filesystem;
using inference::EvaluationKeys;
using inference::InferenceModel;
using inference::ModelLocation;

struct EvalOptions {
  std::string model_dir, input, output_dir;
  std::string dtype = "float64";
  int64_t batch_size = 8;
  int threads = 0;
  bool no_forces = false;
  std::string stress = "auto";
  bool no_plots = false;
  ModelLoadOptions load;  // --ecse, --ecse-fallback, --ecse-pruning, --device
  data::LabelKeys keys;
  std::set<std::string> keys_given;  // label-key options the user passed ("energy", ...)
  std::vector<std::string> targets;  // OUTPUT=KEY
};

// For a training run directory, what the user left out comes from the run: its test set and the
// label keys it trained on.
void apply_run_defaults(EvalOptions& opt, const ModelLocation& location) {
  if (!location.run_dir) {
    if (opt.input.empty()) fail("{}: --input is required unless --model is a training run directory", opt.model_dir);
    return;
  }
  const inference::RunDefaults run = inference::run_defaults(*location.run_dir);
  if (opt.input.empty()) {
    if (!run.test_input) {
      fail("{}: this run has no test set (neither data.test nor data.test_fraction was set); give --input FILE",
           location.run_dir->string());
    }
    opt.input = *run.test_input;
    if (!std::filesystem::exists(opt.input)) fail("{}: the run's test set no longer exists; give --input FILE", opt.input);
  }
  if (!opt.keys_given.count("energy")) opt.keys.energy = run.keys.energy;
  if (!opt.keys_given.count("forces")) opt.keys.forces = run.keys.forces;
  if (!opt.keys_given.count("stress")) opt.keys.stress = run.keys.stress;
  for (const auto& [output, key] : run.targets) {
    bool given = false;
    for (const auto& text : opt.targets) given |= inference::parse_target_mapping(text).first == output;
    if (!given) opt.targets.push_back(output + "=" + key);
  }
}

fs::path default_output_dir(const EvalOptions& opt, const ModelLocation& location) {
  if (location.run_dir) return *location.run_dir / "eval";
  std::string stem = fs::path(opt.input).filename().string();
  for (const char* extension : {".gz", ".xyz", ".extxyz"}) {
    const std::string e = extension;
    if (stem.size() > e.size() && stem.compare(stem.size() - e.size(), e.size(), e) == 0) stem.resize(stem.size() - e.size());
  }
  return fs::path("eval-" + stem);
}

// Under mpirun / torchrun each rank evaluates its batches (sharded_batches.h) and rank 0 adds their
// metrics in file order; the other ranks return empty metrics.
train::EvaluationMetrics evaluate_file(const EvalOptions& opt, const InferenceModel& loaded,
                                       const EvaluationKeys& keys, std::set<std::string>& unlabelled,
                                       parallel::Communicator& comm) {
  inference::PredictionSettings settings;
  settings.dtype = parse_dtype(opt.dtype);
  settings.forces = !opt.no_forces;
  settings.stress = inference::parse_stress_mode(opt.stress);
  settings.species = loaded.species;
  train::EvaluationMetrics metrics;
  ProgressOptions quiet;
  quiet.quiet = !comm.is_root();
  Progress progress("eval", comm.is_root() ? inference::count_frames(opt.input) : 0, quiet);
  inference::for_each_batch_sharded(
      opt.input, opt.batch_size, comm,
      [&](std::vector<data::Structure>& batch, const std::vector<std::string>& where) {
        const auto predictions = inference::predict_structures(*loaded.model, batch, where, settings);
        train::EvaluationMetrics batch_metrics;
        std::set<std::string> batch_unlabelled;
        for (std::size_t k = 0; k < batch.size(); ++k) {
          inference::compare_with_labels(batch[k], predictions[k], keys, where[k], batch_metrics, batch_unlabelled);
        }
        return inference::metrics_to_text(batch_metrics, batch_unlabelled);
      },
      [&](const std::string& text, int64_t structures) {
        inference::add_metrics_text(text, metrics, unlabelled);
        progress.advance(structures);
      });
  progress.finish();
  return metrics;
}

// Parity plots, then learning curves; returns the PNG files written.
std::vector<fs::path> draw_plots(const train::EvaluationMetrics& metrics, const ModelLocation& location,
                                 const fs::path& out) {
  std::vector<fs::path> written;
  for (const auto& target : metrics.targets()) {
    if (target.name == "energy_per_atom") continue;  // the energy plot shows the same points
    if (inference::is_relaxation_distance_target(target.name)) continue;  // distances against 0
    const fs::path png = out / fmt::format("parity_{}.png", target.name);
    train::write_parity_plot(target, png, out / "plot_data");
    written.push_back(png);
  }
  if (location.run_dir && fs::exists(*location.run_dir / "metrics.csv")) {
    const fs::path png = out / "learning_curves.png";
    const auto log = train::read_training_log(*location.run_dir / "metrics.csv");
    train::write_learning_curves(log, "learning curves: " + location.run_dir->string(), png, out / "plot_data");
    written.push_back(png);
  }
  return written;
}

int run_eval(EvalOptions opt) {
  if (opt.threads > 0) set_num_threads(opt.threads);
  const InferenceModel loaded =
      inference::load_inference_model(opt.model_dir, opt.load.with_dtype(parse_dtype(opt.dtype)));
  apply_run_defaults(opt, loaded.location);
  EvaluationKeys keys{opt.keys, {}};
  for (const auto& text : opt.targets) keys.targets.insert(inference::parse_target_mapping(text));
  const auto comm = parallel::Communicator::from_environment();
  if (comm->is_root()) {
    fmt::print(stderr, "model: {}{}\n", inference::describe_model(loaded),
               comm->size() > 1 ? fmt::format(" on {} ranks", comm->size()) : "");
  }

  std::set<std::string> unlabelled;
  const train::EvaluationMetrics metrics = evaluate_file(opt, loaded, keys, unlabelled, *comm);
  if (!comm->is_root()) return 0;  // rank 0 writes the metrics and plots of the whole file
  if (metrics.targets().empty()) {
    fail("{}: no labels to compare with: none of the keys '{}', '{}', '{}' / '{}' nor any model output name "
         "(use --energy-key etc. or --target OUTPUT=KEY)",
         opt.input, keys.labels.energy, keys.labels.forces, keys.labels.stress, keys.labels.virial);
  }
  const fs::path out = opt.output_dir.empty() ? default_output_dir(opt, loaded.location) : fs::path(opt.output_dir);
  fs::create_directories(out);
  const train::ReportContext context{loaded.location.model_dir.string(), opt.input, opt.dtype};
  // OC20-style models (IS2RE / IS2RS) also get OC20's summary figures: EwT, ADwT, ...
  const bool relaxation = loaded.model->graph_rule().kind == data::GraphRule::Kind::Slab;
  const nlohmann::json summary = relaxation ? inference::relaxation_summary(metrics) : nlohmann::json::object();
  nlohmann::json report = train::metrics_json(metrics, context);
  if (!summary.empty()) report["relaxation"] = summary;
  train::write_text_file(out / "metrics.json", report.dump(2) + "\n");
  train::write_text_file(out / "metrics.csv", train::metrics_csv(metrics));

  fmt::print("{} structures, {} atoms from {}\n{}", metrics.structures(), metrics.atoms(), opt.input,
             train::metrics_table(metrics));
  if (!summary.empty()) fmt::print("{}", inference::relaxation_summary_text(summary));
  for (const auto& name : unlabelled) fmt::print("(model output '{}' has no label in the data: not compared)\n", name);
  fmt::print("metrics: {} and {}\n", (out / "metrics.json").string(), (out / "metrics.csv").string());
  if (opt.no_plots) return 0;
  try {
    for (const auto& png : draw_plots(metrics, loaded.location, out)) fmt::print("plot: {}\n", png.string());
  } catch (const train::PlotToolMissing& e) {
    fail("cannot draw the plots: {} (the metrics were written; --no-plots skips the plots)", e.what());
  }
  return 0;
}

}  // namespace

Command add_eval(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<EvalOptions>();
  Command c;
  c.app = root.add_subcommand("eval", "evaluate a model on labelled structures: metrics, parity plots, learning curves");
  c.app->footer(
      "Compares the model with the labels of every structure: energy MAE / RMSE per structure (eV) and\n"
      "per atom (eV/atom), force components (eV/A), stress components (eV/A^3, from the stress key or\n"
      "-virial/volume), and every other model output whose label the data has (same key name, or\n"
      "--target OUTPUT=KEY). Writes OUT/metrics.json, OUT/metrics.csv, OUT/parity_<target>.png and,\n"
      "when --model is a training run directory (RUN_DIR/model/ and RUN_DIR/metrics.csv),\n"
      "OUT/learning_curves.png; OUT defaults to RUN_DIR/eval, else ./eval-<input name>. For a run\n"
      "directory, --input defaults to the run's test set (RUN_DIR/test.xyz for a data.test_fraction\n"
      "split, else data.test) and the label keys to those the run trained on. Plots are\n"
      "drawn by gnuplot (Debian package gnuplot-nox; EQT_GNUPLOT overrides the executable); their\n"
      "data and gnuplot scripts are kept in OUT/plot_data.");
  c.app->add_option("--model", opt->model_dir, "model directory, official export, or training run directory")->required();
  c.app->add_option("--input", opt->input, "labelled extxyz file (plain or .gz); default for a run directory: its test set")
      ->check(CLI::ExistingFile);
  c.app->add_option("--output-dir", opt->output_dir, "where metrics and plots go");
  c.app->add_option("--batch-size", opt->batch_size, "structures evaluated together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_option("--dtype", opt->dtype, "precision of the computation")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  c.app->add_option("--threads", opt->threads, "intra-op threads (default: eqt --threads, else all cores)")
      ->check(CLI::NonNegativeNumber);
  c.app->add_option("--energy-key", opt->keys.energy, "key of the energy labels (eV)")->capture_default_str();
  c.app->add_option("--forces-key", opt->keys.forces, "key of the force labels (eV/A)")->capture_default_str();
  c.app->add_option("--stress-key", opt->keys.stress, "key of the stress labels (eV/A^3)")->capture_default_str();
  c.app->add_option("--virial-key", opt->keys.virial, "key of virial labels (eV), used where no stress is given")
      ->capture_default_str();
  c.app->add_option("--target", opt->targets, "OUTPUT=KEY: compare model output OUTPUT with the data's KEY (repeatable)");
  c.app->add_flag("--no-forces", opt->no_forces, "energies only (faster)");
  c.app->add_option("--stress", opt->stress, "auto: for periodic structures; always; never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  c.app->add_flag("--no-plots", opt->no_plots, "write the metrics only");
  add_model_load_options(*c.app, opt->load);
  CLI::App* app = c.app;
  c.run = [opt, app]() {
    for (const char* name : {"energy", "forces", "stress"}) {
      if (app->count(fmt::format("--{}-key", name)) > 0) opt->keys_given.insert(name);
    }
    return run_eval(*opt);
  };
  return c;
}

}  // namespace eqt::cli
