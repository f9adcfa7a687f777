#pragma once
// Runs a shell command for end-to-end tests and captures what it printed.
#include <filesystem>
#include <string>
#include <vector>

namespace eqt::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command);
// Single-quotes an argument for /bin/sh.
std::string shell_quote(const std::string& text);
inline std::string quoted(const std::filesystem::path& path) { return shell_quote(path.string()); }

// The eqt executable of this build with --threads 1, quoted, followed by a space.
std::string eqt_command();

// A CSV file as rows of fields (no quoting rules: eqt's CSV files have none).
std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path);

}  // namespace eqt::testing
