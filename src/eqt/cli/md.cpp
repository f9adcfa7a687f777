#include "eqt/cli/commands.h"

namespace eqt::cli {

Command add_md(CLI::App& root, const GlobalOptions& /*global*/) {
  return planned_command(root, "md", "run molecular dynamics with a model");
}

}  // namespace eqt::cli
