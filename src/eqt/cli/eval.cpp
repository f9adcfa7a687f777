#include "eqt/cli/commands.h"

namespace eqt::cli {

Command add_eval(CLI::App& root, const GlobalOptions& /*global*/) {
  return planned_command(root, "eval", "evaluate a model on labelled structures");
}

}  // namespace eqt::cli
