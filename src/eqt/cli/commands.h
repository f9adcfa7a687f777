#pragma once
// Each verb of the `eqt` command line registers itself on the CLI11 app and returns the
// callback that runs it; main() dispatches and turns eqt::Error into a clean message.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

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

// --ecse-pruning for the verbs that can wrap a model in ECSE (needs their --ecse flag).
inline CLI::Option* add_ecse_pruning_option(CLI::App& app, std::string& pruning) {
  return app
      .add_option("--ecse-pruning", pruning,
                  "ECSE frame pruning: single (default, smooth energies for MD) or official (upstream's "
                  "repeated passes, reproduces the official outputs; near-jumps in MD)")
      ->check(CLI::IsMember({"single", "official"}))
      ->capture_default_str()
      ->needs("--ecse");
}

// --device for the verbs that load a model (core/device.h: cpu, cuda, cuda:N).
inline CLI::Option* add_device_option(CLI::App& app, std::string& device) {
  return app
      .add_option("--device", device,
                  "where the model computes: cpu, cuda or cuda:N (needs an eqt built against a LibTorch with CUDA)")
      ->capture_default_str();
}

}  // namespace eqt::cli
