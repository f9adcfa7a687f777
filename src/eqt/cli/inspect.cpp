#include <fmt/format.h>

#include "eqt/cli/commands.h"

namespace eqt::cli {

// Placeholder until the data layer lands (same session): reports dataset statistics.
Command add_inspect(CLI::App& root, const GlobalOptions&) {
  Command c;
  c.app = root.add_subcommand("inspect", "summarise an extxyz dataset: species, labels, neighbours");
  c.run = []() { return 0; };
  return c;
}

}  // namespace eqt::cli
