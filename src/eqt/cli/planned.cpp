#include <fmt/format.h>

#include "eqt/cli/commands.h"

namespace eqt::cli {

Command planned_command(CLI::App& root, const std::string& name, const std::string& what) {
  Command c;
  c.app = root.add_subcommand(name, fmt::format("{} [not yet implemented]", what));
  c.app->allow_extras();
  c.run = [name]() {
    fmt::print(stderr, "eqt {}: not yet implemented in this version of eqt\n", name);
    return 2;
  };
  return c;
}

}  // namespace eqt::cli
