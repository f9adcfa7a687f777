// `eqt export`: the one model directory (model.json + weights.safetensors, with the weights' size
// and checksum recorded) that predict, eval, md, the ASE calculator and LAMMPS load, from an
// official reference export, an eqt model directory or a training run directory.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "eqt/cli/commands.h"
#include "eqt/core/dtype.h"
#include "eqt/core/error.h"
#include "eqt/inference/inference_model.h"
#include "eqt/io/json_file.h"
#include "eqt/models/model_dir.h"

namespace eqt::cli {
namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  std::string model_dir, output;
  std::string dtype = "float64";
  ModelLoadOptions load;  // --ecse, --ecse-fallback, --ecse-pruning, --device
};

int run_export(const ExportOptions& opt) {
  const inference::InferenceModel loaded =
      inference::load_inference_model(opt.model_dir, opt.load.with_dtype(parse_dtype(opt.dtype)));
  fmt::print(stderr, "model: {}\n", inference::describe_model(loaded));
  if (fs::weakly_canonical(opt.output) == fs::weakly_canonical(loaded.location.model_dir)) {
    fail("--output {} is the model directory being exported: choose another directory", opt.output);
  }
  models::save_model(*loaded.model, opt.output, {loaded.species});
  // Read back what was written, so a model that cannot be loaded is never reported as exported.
  models::read_model_directory(opt.output, parse_dtype(opt.dtype));
  const auto record = io::read_json_file(fs::path(opt.output) / "model.json").at("weights");
  fmt::print("exported {} model ({}) to {}: model.json + {} ({} bytes, crc32 {})\n", loaded.model->kind(), opt.dtype,
             opt.output, models::kWeightsFileName, record.at("bytes").get<uint64_t>(),
             record.at("crc32").get<std::string>());
  return 0;
}

}  // namespace

Command add_export(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<ExportOptions>();
  Command c;
  c.app = root.add_subcommand("export", "export a model directory for predict / eval / md / ASE / LAMMPS");
  c.app->footer(
      "Reads an official reference export (config.json), an eqt model directory (model.json) or a\n"
      "training run directory (RUN_DIR/model), and writes OUT_DIR/model.json + weights.safetensors,\n"
      "all or nothing. model.json records the weights' byte size and CRC-32; every loader checks\n"
      "them and rejects a truncated or corrupt copy with a message naming the file. --ecse stores\n"
      "the model wrapped in ECSE (and its fallback model), so users need no --ecse flag later.");
  c.app->add_option("--model", opt->model_dir, "model directory, official export, or training run directory")->required();
  c.app->add_option("--output", opt->output, "model directory to write (replaced if it holds an eqt model)")->required();
  c.app->add_option("--dtype", opt->dtype, "precision of the stored weights")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  add_model_load_options(*c.app, opt->load);
  c.run = [opt]() { return run_export(*opt); };
  return c;
}

}  // namespace eqt::cli
