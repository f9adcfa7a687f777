#pragma once
// Each verb of the `eqt` command line registers itself on the CLI11 app and returns the
// callback that runs it; main() dispatches and turns eqt::Error into a clean message.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "eqt/inference/inference_model.h"
#include "eqt/parallel/device_of_rank.h"

namespace eqt::cli {

struct GlobalOptions {
  int threads = 0;  // 0: all cores
};

using Runner = std::function<int()>;

struct Command {
  CLI::App* app = nullptr;
  Runner run;
};

Command add_inspect(CLI::App& root, const GlobalOptions& global);
Command add_predict(CLI::App& root, const GlobalOptions& global);
Command add_train(CLI::App& root, const GlobalOptions& global);
Command add_eval(CLI::App& root, const GlobalOptions& global);
Command add_md(CLI::App& root, const GlobalOptions& global);
Command add_export(CLI::App& root, const GlobalOptions& global);
Command add_check(CLI::App& root, const GlobalOptions& global);

// What every verb that loads a model takes besides --model and --dtype: ECSE and the device.
struct ModelLoadOptions {
  bool ecse = false;
  std::string ecse_fallback;
  std::string ecse_pruning = "single";
  std::string device = "cpu";
  // For inference::load_inference_model (parses and checks the device; under a launcher, `cuda`
  // is this rank's GPU: parallel/device_of_rank.h).
  inference::InferenceModelOptions with_dtype(c10::ScalarType dtype) const {
    return {dtype, ecse, ecse_fallback, ecse_pruning, parallel::device_for_this_process(device)};
  }
};

// --device (core/device.h: cpu, cuda, cuda:N; parallel/device_of_rank.h for several ranks).
inline CLI::Option* add_device_option(CLI::App& app, std::string& device) {
  return app
      .add_option("--device", device,
                  "where the model computes: cpu, cuda or cuda:N (needs an eqt built against a LibTorch with CUDA)")
      ->capture_default_str();
}

// --ecse, --ecse-fallback, --ecse-pruning and --device.
inline void add_model_load_options(CLI::App& app, ModelLoadOptions& options) {
  app.add_flag("--ecse", options.ecse,
               "wrap the model in ECSE: exact rotational invariance by averaging over local frames");
  app.add_option("--ecse-fallback", options.ecse_fallback,
                 "model directory used by ECSE where no non-collinear neighbour pair exists")
      ->needs("--ecse");
  app.add_option("--ecse-pruning", options.ecse_pruning,
                 "ECSE frame pruning: single (default, smooth energies for MD) or official (upstream's "
                 "repeated passes, reproduces the official outputs; near-jumps in MD)")
      ->check(CLI::IsMember({"single", "official"}))
      ->capture_default_str()
      ->needs("--ecse");
  add_device_option(app, options.device);
}

}  // namespace eqt::cli
