#include <fmt/format.h>

#include <exception>
#include <functional>
#include <string>

#include "eqt/core/allocator.h"
#include "eqt/cli/commands.h"
#include "eqt/cli/version.h"
#include "eqt/core/error.h"
#include "eqt/core/omp_wait_policy.h"
#include "eqt/core/threads.h"
#include "eqt/core/torch_warnings.h"

int main(int argc, char** argv) {
  eqt::reexec_with_omp_wait_policy(argv);  // before anything starts OpenMP threads
  using namespace eqt::cli;
  CLI::App app{"eqt: equivariant transformers (Equiformer, PET, ECSE) for atomistic systems"};
  app.set_version_flag("--version", std::function<std::string()>(version_text), "print eqt's version and what it was built with");
  app.require_subcommand(0, 1);
  app.fallthrough();  // global options (--threads) also after the verb: eqt train CONFIG --threads 2
  GlobalOptions global;
  app.add_option("--threads", global.threads, "intra-op threads (default: $OMP_NUM_THREADS, else all cores)")
      ->check(CLI::NonNegativeNumber);

  const std::vector<Command> commands{add_train(app, global), add_eval(app, global),   add_predict(app, global),
                                      add_md(app, global),    add_export(app, global), add_inspect(app, global),
                                      add_check(app, global)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    eqt::install_torch_warning_handler();
    eqt::set_num_threads(global.threads);
    eqt::keep_freed_memory_for_reuse();
    for (const auto& c : commands) {
      if (c.app->parsed()) return c.run();
    }
    fmt::print(stderr, "{}\neqt: error: no command given (see the list above)\n", app.help());
    return 2;
  } catch (const eqt::Error& e) {
    fmt::print(stderr, "eqt: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "eqt: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
