// `eqt train CONFIG.yaml`: trains a model into a run directory (src/eqt/train/trainer.h).
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "eqt/cli/commands.h"
#include "eqt/cli/progress.h"
#include "eqt/core/error.h"
#include "eqt/parallel/communicator.h"
#include "eqt/train/trainer.h"

namespace eqt::cli {

namespace {

struct TrainCliOptions {
  std::string config;
  std::string run_dir;
  std::string resume;
  std::vector<std::string> overrides;
  bool quiet = false;
  std::string device = "cpu";
};

std::string default_run_dir(const std::string& config) {
  return (std::filesystem::path("runs") / std::filesystem::path(config).stem()).string();
}

int run_train(const TrainCliOptions& opt) {
  train::TrainOptions options;
  if (!opt.resume.empty()) {
    if (!opt.run_dir.empty() && opt.run_dir != opt.resume) fail("--resume names the run directory; drop --run-dir");
    options.resume = true;
    options.run_dir = opt.resume;
  } else {
    if (opt.config.empty()) fail("give a CONFIG.yaml (or --resume RUN_DIR)");
    options.config_path = opt.config;
    options.run_dir = opt.run_dir.empty() ? default_run_dir(opt.config) : opt.run_dir;
  }
  options.overrides = opt.overrides;
  options.device = opt.device;
  // Under mpirun / torchrun / srun (launch.h): one rank of a data-parallel run; rank 0 alone
  // prints progress and writes the run directory.
  options.communicator = parallel::Communicator::from_environment();
  const bool root = options.communicator->is_root();
  options.echo_log = root;
  std::unique_ptr<Progress> progress;
  double loss_average = 0.0;
  int64_t losses_seen = 0;
  ProgressOptions progress_options;
  progress_options.unit = "batches";
  progress_options.quiet = opt.quiet || !root;
  options.on_epoch_start = [&](int64_t epoch, int64_t batches, int64_t done) {
    progress = std::make_unique<Progress>(fmt::format("epoch {}", epoch + 1), batches, progress_options);
    if (done > 0) progress->advance(done);
    loss_average = 0.0;
    losses_seen = 0;
  };
  options.on_step = [&](double loss) {
    // Running mean over the epoch: single-batch losses are too noisy to read. A skipped step's
    // NaN / Inf (train.log names it) would hide the rest of the epoch's.
    if (std::isfinite(loss)) loss_average += (loss - loss_average) / static_cast<double>(++losses_seen);
    progress->set_detail(fmt::format("loss {:.4g}", loss_average));
    progress->advance();
  };
  options.on_epoch_end = [&]() {
    if (progress) progress->finish();
  };
  const train::TrainSummary summary = train::run_training(options);
  progress.reset();
  if (!root) return 0;
  fmt::print(stderr, "trained {} steps ({} epochs): {}; best val_loss {:.6g} (epoch {})\nmodel: {}\n",
             summary.steps, summary.epochs_done, summary.stop_reason, summary.best_val_loss, summary.best_epoch,
             summary.model_dir.string());
  return 0;
}

}  // namespace

Command add_train(CLI::App& root, const GlobalOptions& /*global*/) {
  auto opt = std::make_shared<TrainCliOptions>();
  Command c;
  c.app = root.add_subcommand("train", "train a model from a YAML config");
  c.app->footer(
      "Writes RUN_DIR/{config.yaml (resolved), normalisation.json, metrics.csv, train.log,\n"
      "checkpoints/{last,best}/, model/} and, for a data.test_fraction split, test.xyz (the\n"
      "held-out frames). The exported model/ is what eqt predict / eval load; eqt eval --model RUN_DIR\n"
      "without --input evaluates on the run's test set.\n"
      "Config keys, defaults and presets: docs/training.md and examples/train/.");
  c.app->add_option("config", opt->config, "training config (YAML)")->check(CLI::ExistingFile);
  c.app->add_option("--run-dir", opt->run_dir, "run directory (default: runs/<config name>)");
  c.app->add_option("--resume", opt->resume, "continue the run in this directory from its last checkpoint")
      ->check(CLI::ExistingDirectory);
  c.app->add_option("--set", opt->overrides, "override a config key: --set optimiser.lr=1e-3 (repeatable)");
  c.app->add_flag("--quiet", opt->quiet, "no progress bar or per-batch lines (train.log is still written)");
  add_device_option(*c.app, opt->device);
  c.run = [opt]() { return run_train(*opt); };
  return c;
}

}  // namespace eqt::cli
