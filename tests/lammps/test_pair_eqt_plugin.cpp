// build/eqt_lammps_plugin.so, pair style eqt for `plugin load` in a LAMMPS with the PLUGIN package.
// Where the system's `lmp` has that package (Debian 13's; not Debian 12's), it loads the plugin and
// gives eqt predict's numbers; everywhere, the library loads with every symbol resolved and exports
// LAMMPS's plugin entry point.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "lammps_fixtures.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

#ifdef EQT_LAMMPS_PLUGIN
#define EQT_REQUIRE_PLUGIN()
const char* plugin_path() { return EQT_LAMMPS_PLUGIN; }
#else
#define EQT_REQUIRE_PLUGIN() \
  EQT_SKIP_OR_FAIL() << "eqt_lammps_plugin.so was not built (LAMMPS headers without lammpsplugin.h)"
const char* plugin_path() { return ""; }
#endif

// The library loads with every symbol resolved and exports LAMMPS's plugin entry point. Where the
// system's lmp has the PLUGIN package (and the version of the headers eqt was built against), it
// also runs the style through `plugin load` and gives eqt predict's energy; Debian 12's lmp has no
// PLUGIN package, so there only the library is checked (the log says so).
TEST(PairEqtPlugin, LoadsAndRunsInTheSystemLammpsWhereItHasThePluginPackage) {
  EQT_REQUIRE_LAMMPS();
  EQT_REQUIRE_PLUGIN();
  void* handle = dlopen(plugin_path(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  EXPECT_NE(dlsym(handle, "lammpsplugin_init"), nullptr) << dlerror();
  dlclose(handle);

  const CommandResult help = run_command("lmp -h 2>&1");
  if (help.exit_code != 0 || help.output.find("PLUGIN") == std::string::npos) {
    std::cout << "the system's lmp has no PLUGIN package: plugin load not tested here\n";
    return;
  }
  EQT_REQUIRE_SHARED(shared);
  const data::Structure s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
  const fs::path model = write_random_pet({{27, 28, 29, 42, 45, 74}, 3.0, 2, 5}, temp_dir("plugin_pet_model"));
  const fs::path dir = temp_dir("plugin_run");
  const Labels want = eqt_predict(dir, s, model);
  write_lammps_data(s, dir / "structure.data");
  std::ofstream(dir / "in.lmp") << fmt::format(R"LMP(plugin load {}
units metal
atom_style atomic
atom_modify map array
boundary p p p
read_data structure.data
pair_style eqt {} float64
pair_coeff * *{}
run 0
print "EQT_ENERGY $(pe:%.17g)"
)LMP",
                                               plugin_path(), model.string(), element_list(s));
  const CommandResult run = run_command(fmt::format("cd {} && lmp -in in.lmp -log none 2>&1", shell_quote(dir.string())));
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NEAR(printed_values(run.output, "EQT_ENERGY").at(0), want.energy, 1e-10) << run.output;
}

}  // namespace
}  // namespace eqt::testing
