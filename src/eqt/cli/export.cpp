#include "eqt/cli/commands.h"

namespace eqt::cli {

Command add_export(CLI::App& root, const GlobalOptions& /*global*/) {
  return planned_command(root, "export", "export a trained model for predict / md / ASE / LAMMPS");
}

}  // namespace eqt::cli
