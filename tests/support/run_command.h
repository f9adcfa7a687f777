#pragma once
// Runs a shell command for end-to-end tests and captures what it printed.
#include <string>

namespace eqt::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command);
// Single-quotes an argument for /bin/sh.
std::string shell_quote(const std::string& text);

}  // namespace eqt::testing
