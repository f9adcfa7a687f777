#include <fmt/format.h>

#include "eqt/cli/commands.h"

namespace eqt::cli {

std::vector<Command> add_planned(CLI::App& root) {
  struct Planned {
    const char* name;
    const char* what;
  };
  static const Planned planned[] = {
      {"train", "train a model from a YAML config"},
      {"eval", "evaluate a model on labelled structures"},
      {"md", "run molecular dynamics with a model"},
      {"export", "export a trained model for predict / md / ASE / LAMMPS"},
  };
  std::vector<Command> out;
  for (const auto& p : planned) {
    Command c;
    c.app = root.add_subcommand(p.name, fmt::format("{} [not yet implemented]", p.what));
    c.app->allow_extras();
    const std::string name = p.name;
    c.run = [name]() {
      fmt::print(stderr, "eqt {}: not yet implemented in this version of eqt\n", name);
      return 2;
    };
    out.push_back(c);
  }
  return out;
}

}  // namespace eqt::cli
