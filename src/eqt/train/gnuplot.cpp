#include "eqt/train/gnuplot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace eqt::train {

namespace {

namespace fs = std::filesystem;

bool is_executable_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
}

std::string read_log(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  std::string log = text.str();
  while (!log.empty() && (log.back() == '\n' || log.back() == ' ')) log.pop_back();
  return log.empty() ? "(no message)" : log;
}

// gnuplot's stdout and stderr go to `log`; returns its exit status (-1: did not run normally).
int spawn_gnuplot(const fs::path& gnuplot, const fs::path& script, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const std::string program = gnuplot.string(), script_path = script.string();
  char* argv[] = {const_cast<char*>(program.c_str()), const_cast<char*>(script_path.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) fail("cannot run {}: {}", program, std::strerror(spawned));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail("waiting for {} failed: {}", program, std::strerror(errno));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::optional<fs::path> find_gnuplot() {
  if (const char* chosen = std::getenv("EQT_GNUPLOT")) {
    if (is_executable_file(chosen)) return fs::path(chosen);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::stringstream directories(path ? path : "/usr/bin:/bin");
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    const fs::path candidate = fs::path(directory.empty() ? "." : directory) / "gnuplot";
    if (is_executable_file(candidate)) return candidate;
  }
  return std::nullopt;
}

void run_gnuplot(const fs::path& script, const fs::path& temporary_png, const fs::path& png) {
  const auto gnuplot = find_gnuplot();
  if (!gnuplot) {
    const char* chosen = std::getenv("EQT_GNUPLOT");
    throw PlotToolMissing(
        chosen ? fmt::format("EQT_GNUPLOT={} is not an executable file", chosen)
               : std::string("gnuplot was not found on PATH: install Debian's gnuplot-nox (scripts/install-deps.sh "
                             "does) or point EQT_GNUPLOT at a gnuplot executable"));
  }
  fs::path log = script;
  log.replace_extension(".log");
  const int status = spawn_gnuplot(*gnuplot, script, log);
  std::error_code error;
  if (status != 0 || !fs::exists(temporary_png) || fs::file_size(temporary_png, error) == 0) {
    fs::remove(temporary_png, error);
    fail("gnuplot ({}) could not draw {} from {}: {}", gnuplot->string(), png.string(), script.string(), read_log(log));
  }
  fs::rename(temporary_png, png, error);
  if (error) fail("cannot rename {} onto {}: {}", temporary_png.string(), png.string(), error.message());
  fs::remove(log, error);
}

std::string gnuplot_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += (c == '\'') ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace eqt::train
