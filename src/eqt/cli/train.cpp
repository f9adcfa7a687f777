#include "eqt/cli/commands.h"

namespace eqt::cli {

Command add_train(CLI::App& root, const GlobalOptions& /*global*/) {
  return planned_command(root, "train", "train a model from a YAML config");
}

}  // namespace eqt::cli
