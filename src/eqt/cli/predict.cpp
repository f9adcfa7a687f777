// `eqt predict`: energies, forces and stress of every structure of an extxyz file, written to a
// new extxyz file with the input's other keys kept.
#include <fmt/format.h>

#include <memory>

#include "eqt/cli/commands.h"
#include "eqt/cli/predict_batch.h"
#include "eqt/cli/progress.h"
#include "eqt/core/dtype.h"
#include "eqt/core/error.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/data/output_file.h"
#include "eqt/models/model_dir.h"

namespace eqt::cli {
namespace {

struct PredictOptions {
  std::string model_dir, input, output;
  std::string dtype = "float64";
  int64_t batch_size = 8;
  bool no_forces = false;
  std::string stress = "auto";
  std::string prefix;
  bool ecse = false;
  std::string ecse_fallback;  // model directory; empty: none
};

// A fast first pass (line counts only), so that the progress bar can show an ETA.
int64_t count_frames(const std::string& path) {
  data::ExtxyzReader reader(path);
  while (reader.skip()) {
  }
  return reader.frame_index();
}

std::shared_ptr<models::Model> prepare_model(const models::LoadedModel& loaded) {
  auto model = loaded.model;
  model->eval();
  // Inference only: no parameter gradients (forces and stress differentiate positions / strain).
  for (auto& parameter : model->parameters()) parameter.set_requires_grad(false);
  return model;
}

// ECSE makes any model exactly rotation invariant by averaging over local coordinate frames; the
// optional fallback takes over where an environment has no non-collinear neighbour pair.
std::shared_ptr<models::Model> wrap_in_ecse(std::shared_ptr<models::Model> model, const std::string& fallback_dir,
                                            c10::ScalarType dtype) {
  std::shared_ptr<models::Model> fallback;
  if (!fallback_dir.empty()) fallback = prepare_model(models::read_model_directory(fallback_dir, dtype));
  return std::make_shared<models::ecse::EcseModel>(model, fallback);
}

int run_predict(const PredictOptions& opt) {
  PredictionSettings settings;
  settings.dtype = parse_dtype(opt.dtype);
  settings.forces = !opt.no_forces;
  settings.stress = parse_stress_mode(opt.stress);
  settings.prefix = opt.prefix;
  const models::LoadedModel loaded = models::read_model_directory(opt.model_dir, settings.dtype);
  settings.species = loaded.species;
  auto model = prepare_model(loaded);
  if (opt.ecse) model = wrap_in_ecse(model, opt.ecse_fallback, settings.dtype);
  fmt::print(stderr, "model: {} ({}, cutoff {} A) from {}\n", model->kind(), loaded.source, model->cutoff(),
             opt.model_dir);

  const int64_t total = count_frames(opt.input);
  data::ExtxyzReader reader(opt.input);
  data::AtomicOutputFile output(opt.output, data::has_gzip_extension(opt.output));
  Progress progress("predict", total);
  std::vector<data::Structure> batch;
  std::vector<std::string> where;
  const auto flush = [&]() {
    predict_batch(*model, batch, where, settings);
    for (const auto& s : batch) output.write(data::format_extxyz_frame(s));
    progress.advance(static_cast<int64_t>(batch.size()));
    batch.clear();
    where.clear();
  };
  while (true) {
    const int64_t index = reader.frame_index();
    auto structure = reader.next();
    if (!structure) break;
    batch.push_back(std::move(*structure));
    where.push_back(fmt::format("{}: frame {}", opt.input, index));
    if (static_cast<int64_t>(batch.size()) == opt.batch_size) flush();
  }
  if (!batch.empty()) flush();
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
      "structures, stress (eV/A^3, ASE sign convention) plus any other per-structure model outputs\n"
      "(e.g. energy_raw), keeping the input's other keys. By default the predictions use ASE's key\n"
      "names (energy, forces, stress) and REPLACE labels of those names in the input; use --prefix\n"
      "(e.g. --prefix pred_) to keep the original labels beside the predictions. Labels that are not\n"
      "predicted (forces with --no-forces) are kept as they were.");
  c.app->add_option("--model", opt->model_dir, "model directory (eqt's model.json, or an official export's config.json)")
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
  c.app->add_flag("--ecse", opt->ecse,
                   "wrap the model in ECSE: exact rotational invariance by averaging over local frames");
  c.app->add_option("--ecse-fallback", opt->ecse_fallback,
                    "model directory used by ECSE where no non-collinear neighbour pair exists")
      ->needs("--ecse");
  c.run = [opt]() { return run_predict(*opt); };
  return c;
}

}  // namespace eqt::cli
