// `eqt predict`: energies, forces, stress and every other model output for each structure of an
// extxyz file, written to a new extxyz file with the input's other keys kept.
#include <fmt/format.h>

#include <memory>

#include "eqt/cli/commands.h"
#include "eqt/cli/progress.h"
#include "eqt/core/dtype.h"
#include "eqt/data/extxyz_writer.h"
#include "eqt/data/output_file.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/inference/sharded_batches.h"
#include "eqt/inference/structure_batches.h"
#include "eqt/parallel/communicator.h"

namespace eqt::cli {
namespace {

struct PredictOptions {
  std::string model_dir, input, output;
  std::string dtype = "float64";
  int64_t batch_size = 8;
  bool no_forces = false;
  std::string stress = "auto";
  std::string prefix;
  ModelLoadOptions load;  // --ecse, --ecse-fallback, --ecse-pruning, --device
};

int run_predict(const PredictOptions& opt) {
  inference::PredictionSettings settings;
  settings.dtype = parse_dtype(opt.dtype);
  settings.forces = !opt.no_forces;
  settings.stress = inference::parse_stress_mode(opt.stress);
  settings.prefix = opt.prefix;
  const inference::InferenceModel loaded =
      inference::load_inference_model(opt.model_dir, opt.load.with_dtype(settings.dtype));
  settings.species = loaded.species;
  // Under mpirun / torchrun the batches are spread over the ranks; rank 0 writes them in order.
  const auto comm = parallel::Communicator::from_environment();
  const inference::ShardHandler predict_frames = [&](std::vector<data::Structure>& batch,
                                                     const std::vector<std::string>& where) {
    inference::predict_batch(*loaded.model, batch, where, settings);
    std::string text;
    for (const auto& s : batch) text += data::format_extxyz_frame(s);
    return text;
  };
  if (!comm->is_root()) {
    inference::for_each_batch_sharded(opt.input, opt.batch_size, *comm, predict_frames, [](const std::string&, int64_t) {});
    return 0;
  }
  fmt::print(stderr, "model: {}{}\n", inference::describe_model(loaded),
             comm->size() > 1 ? fmt::format(" on {} ranks", comm->size()) : "");

  const int64_t total = inference::count_frames(opt.input);
  data::AtomicOutputFile output(opt.output, data::has_gzip_extension(opt.output));
  Progress progress("predict", total);
  inference::for_each_batch_sharded(
      opt.input, opt.batch_size, *comm, predict_frames, [&](const std::string& text, int64_t structures) {
        output.write(text);
        progress.advance(structures);
      });
  output.commit();
  progress.finish();
  fmt::print(stderr, "wrote {} structures to {}\n", progress.done(), opt.output);
  return 0;
}

}  // namespace

Command add_predict(CLI::App& root, const GlobalOptions&) {
  auto opt = std::make_shared<PredictOptions>();
  Command c;
  c.app = root.add_subcommand("predict", "predict energies, forces and stress for the structures of an extxyz file");
  c.app->footer(
      "Writes every input structure with the predicted energy (eV), forces (eV/A) and, for periodic\n"
      "structures, stress (eV/A^3, ASE sign convention) plus every other model output: per-structure\n"
      "scalars and vectors (e.g. energy_raw, dipole) and per-atom ones (atomic_*), keeping the input's\n"
      "other keys. By default the predictions use ASE's key names (energy, forces, stress) and REPLACE\n"
      "labels of those names in the input; use --prefix (e.g. --prefix pred_) to keep the original\n"
      "labels beside the predictions. Labels that are not\n"
      "predicted (forces with --no-forces) are kept as they were.");
  c.app->add_option("--model", opt->model_dir, "model directory (eqt's model.json, an official export's config.json, or a training run directory)")
      ->required();
  c.app->add_option("--input", opt->input, "extxyz file (plain or .gz)")->required()->check(CLI::ExistingFile);
  c.app->add_option("--output", opt->output, "extxyz file to write (.gz: compressed); written all or nothing")
      ->required();
  c.app->add_option("--dtype", opt->dtype, "precision of the computation")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  c.app->add_option("--batch-size", opt->batch_size, "structures evaluated together")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  c.app->add_flag("--no-forces", opt->no_forces, "predict energies only (faster)");
  c.app->add_option("--stress", opt->stress,
                    "auto: for periodic structures; always: fail on non-periodic ones; never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  c.app->add_option("--prefix", opt->prefix, "prefix of the prediction keys (default: none, ASE's names)");
  add_model_load_options(*c.app, opt->load);
  c.run = [opt]() { return run_predict(*opt); };
  return c;
}

}  // namespace eqt::cli
