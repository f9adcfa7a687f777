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
// Verbs that later work will implement: listed in --help, fail clearly when used.
std::vector<Command> add_planned(CLI::App& root);

}  // namespace eqt::cli
