// build/eqt_lammps_plugin.so, pair style eqt for `plugin load` in a LAMMPS with the PLUGIN package.
// Everywhere, the library loads with every symbol resolved and exports LAMMPS's plugin entry point.
// Where a LAMMPS with PLUGIN of the headers' version is at hand ($EQT_LAMMPS_PLUGIN_LMP, e.g. the
// one scripts/build-lammps-plugin-host.sh builds, or an `lmp` on PATH that has the package), the
// style runs through `plugin load` and gives eqt predict's energy, forces and virial (1 rank, and
// mode exchange on 2 MPI ranks): the suite PairEqtPluginHost. Debian's lmp has no PLUGIN package,
// so those are ctests only when the build is configured with -DEQT_LAMMPS_PLUGIN_LMP=<lmp>
// (tests/CMakeLists.txt), and then they fail if that LAMMPS cannot serve.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
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

// The LAMMPS that loads the plugin, or why there is none.
struct PluginHost {
  std::string lmp;      // empty when there is none
  std::string why_not;
};

bool lists_plugin_package(const std::string& lmp) {
  const CommandResult help = run_command(shell_quote(lmp) + " -h 2>&1");
  return help.exit_code == 0 && help.output.find("PLUGIN") != std::string::npos;
}

// $EQT_LAMMPS_PLUGIN_LMP when set, else the LAMMPS the build was configured with (either must
// have PLUGIN), else `lmp` on PATH when it has PLUGIN.
const PluginHost& plugin_host() {
  static const PluginHost host = [] {
    const char* named = std::getenv("EQT_LAMMPS_PLUGIN_LMP");
#ifdef EQT_LAMMPS_PLUGIN_LMP
    if (named == nullptr || *named == '\0') named = EQT_LAMMPS_PLUGIN_LMP;
#endif
    if (named != nullptr && *named != '\0') {
      if (lists_plugin_package(named)) return PluginHost{named, ""};
      return PluginHost{"", std::string("EQT_LAMMPS_PLUGIN_LMP=") + named + " does not run or has no PLUGIN package"};
    }
    if (lists_plugin_package("lmp")) return PluginHost{"lmp", ""};
    return PluginHost{"", "the lmp on PATH has no PLUGIN package (Debian's has none) and EQT_LAMMPS_PLUGIN_LMP is not set "
                          "(scripts/build-lammps-plugin-host.sh builds one; configure with -DEQT_LAMMPS_PLUGIN_LMP=<it>)"};
  }();
  return host;
}

// These tests run only where a LAMMPS with PLUGIN was named (see the top): without one, they fail.
#define EQT_REQUIRE_PLUGIN_HOST()                                  \
  EQT_REQUIRE_LAMMPS();                                            \
  EQT_REQUIRE_PLUGIN();                                            \
  if (plugin_host().lmp.empty()) FAIL() << plugin_host().why_not; \
  EQT_REQUIRE_SHARED(shared)

LammpsCommand plugin_load() {
  return {plugin_host().lmp, fmt::format("plugin load {}\n", plugin_path()), ""};
}

// The plugin was registered, and for the LAMMPS version it was compiled against (LAMMPS says
// "compiled for LAMMPS version ..." otherwise).
void expect_loaded_for_this_version(const std::string& output) {
  EXPECT_NE(output.find("Loading plugin: eqt pair style"), std::string::npos) << output;
  EXPECT_EQ(output.find("compiled for LAMMPS version"), std::string::npos) << output;
}

const fs::path& pet_model() {
  static const fs::path dir = write_random_pet({{27, 28, 29, 42, 45, 74}, 3.0, 2, 5}, temp_dir("plugin_pet_model"));
  return dir;
}

TEST(PairEqtPlugin, LibraryLoadsWithEverySymbolResolvedAndExportsTheEntryPoint) {
  EQT_REQUIRE_LAMMPS();
  EQT_REQUIRE_PLUGIN();
  void* handle = dlopen(plugin_path(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  EXPECT_NE(dlsym(handle, "lammpsplugin_init"), nullptr) << dlerror();
  dlclose(handle);
}

// `plugin load` then a single point of a random PET (mode exchange, its default) on one rank.
TEST(PairEqtPluginHost, PluginLoadGivesEqtPredictsEnergyForcesAndVirial) {
  EQT_REQUIRE_PLUGIN_HOST();
  const data::Structure s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
  const fs::path dir = temp_dir("plugin_single_point");
  const Labels want = eqt_predict(dir, s, pet_model());
  const LammpsResult got = lammps_single_point(dir, s, pet_model(), 1, true, "float64", plugin_load());
  expect_loaded_for_this_version(got.output);
  expect_equal(got, want, "plugin load, 1 rank");
}

// mode exchange across 2 MPI ranks through the plugin: an Equiformer (two blocks, layer norm) whose
// node features cross ranks with LAMMPS's forward / reverse communication, called from the plugin.
TEST(PairEqtPluginHost, ModeExchangeOnTwoRanksGivesEqtPredictsNumbers) {
  EQT_REQUIRE_PLUGIN_HOST();
  const data::Structure s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
  const fs::path model = write_random_equiformer(elements_of(s), temp_dir("plugin_equiformer") / "model", "layer", 2);
  const fs::path dir = temp_dir("plugin_exchange");
  const Labels want = eqt_predict(dir, s, model);
  for (bool newton : {true, false}) {
    const LammpsResult got = lammps_single_point(dir, s, model, 2, newton, "float64 mode exchange", plugin_load());
    expect_loaded_for_this_version(got.output);
    expect_equal(got, want, newton ? "2 ranks, newton on" : "2 ranks, newton off");
  }
}

// 20 NVE steps on 2 ranks through the plugin, mode exchange, with a skin thin enough that LAMMPS
// re-neighbours and atoms change ranks: the total energy stays constant.
TEST(PairEqtPluginHost, ShortNveOnTwoRanksConservesEnergy) {
  EQT_REQUIRE_PLUGIN_HOST();
  const data::Structure s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
  const fs::path dir = temp_dir("plugin_nve");
  const Labels want = eqt_predict(dir, s, pet_model());
  expect_short_nve_conserves_energy(dir, s, want.energy, pet_model().string() + " float64 mode exchange", 0.02,
                                    plugin_load());
}

// The year in LAMMPS's banner, "LAMMPS (29 Sep 2021 - Update 2)"; 0 when there is none.
int lammps_release_year(const std::string& output) {
  const std::size_t at = output.find("LAMMPS (");
  if (at == std::string::npos) return 0;
  const std::size_t end = output.find_first_of(")-", at);
  const std::string date = output.substr(at + 8, end - at - 8);  // "29 Sep 2021 "
  const std::size_t last_space = date.find_last_not_of(' ');
  const std::size_t year_start = date.find_last_of(' ', last_space);
  return std::atoi(date.substr(year_start + 1, last_space - year_start).c_str());
}

// LAMMPS_PLUGIN_PATH=<dir of the plugin>: LAMMPS loads every *plugin.so there at start-up, with no
// `plugin load` line. LAMMPS has done so since 2022 (lammps/lammps pull request 3170), as
// docs/lammps.md says: an older LAMMPS (Debian 12's, 29 Sep 2021) must not have loaded it, a newer
// one must have, and then gives eqt predict's numbers.
TEST(PairEqtPluginHost, LammpsPluginPathLoadsItWhereThisLammpsVersionAutoLoads) {
  EQT_REQUIRE_PLUGIN_HOST();
  const LammpsCommand auto_load{plugin_host().lmp, "",
                                "LAMMPS_PLUGIN_PATH=" + shell_quote(fs::path(plugin_path()).parent_path().string()) + " "};
  const fs::path dir = temp_dir("plugin_auto_load");
  const CommandResult list = run_lammps(dir, "plugin list\n", 1, auto_load);
  ASSERT_EQ(list.exit_code, 0) << list.output;
  const int year = lammps_release_year(list.output);
  ASSERT_GT(year, 2000) << list.output;
  const bool loaded = list.output.find("pair style plugin eqt") != std::string::npos;
  ASSERT_EQ(loaded, year >= 2022) << "LAMMPS of " << year << ":\n" << list.output;
  if (!loaded) return;  // an older LAMMPS: `plugin load` is the way, tested above
  const data::Structure s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
  const Labels want = eqt_predict(dir, s, pet_model());
  const LammpsResult got = lammps_single_point(dir, s, pet_model(), 1, true, "float64", auto_load);
  expect_loaded_for_this_version(got.output);
  expect_equal(got, want, "LAMMPS_PLUGIN_PATH, 1 rank");
}

// A bad model path through the plugin ends LAMMPS with eqt's message (no crash, no hang).
TEST(PairEqtPluginHost, BadModelDirectoryEndsTheRunWithAClearError) {
  EQT_REQUIRE_PLUGIN_HOST();
  const fs::path dir = temp_dir("plugin_bad_model");
  const data::Structure s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
  write_lammps_data(s, dir / "structure.data");
  const std::string missing = (dir / "no_such_model").string();
  const CommandResult run = run_lammps(dir, fmt::format("units metal\nread_data structure.data\npair_style eqt {} float64\n", missing), 1,
                                       plugin_load());
  EXPECT_NE(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("ERROR"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find(missing), std::string::npos) << run.output;
}

}  // namespace
}  // namespace eqt::testing
