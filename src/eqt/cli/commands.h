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


}  // namespace eqt::cli
