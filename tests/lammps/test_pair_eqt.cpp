// pair_style eqt in mode local in LAMMPS (build/eqt-lammps) against `eqt predict` on periodic water and a
// high-entropy alloy: energy, forces and virial to 1e-10 eV (float64), with 1 and 2 MPI ranks and
// newton_pair on and off; a short NVE run; clear errors for bad models and elements.
#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <map>
#include <tuple>

#include "lammps_fixtures.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// Water (H, O) and the alloy's first frame (Co, Cu, Mo, Ni, Rh, W): one random PET for both,
// cutoff 3 A and 2 message-passing layers, so ghost shells reach 6 A (12 A with newton off).
const RandomPetSpec kModel{{1, 8, 27, 28, 29, 42, 45, 74}, 3.0, 2, 5};
// PET's default is mode exchange (test_pair_eqt_exchange.cpp); this file tests mode local.
constexpr const char* kLocal = "float64 mode local";

struct Case {
  const char* name;
  const char* file;  // under ../shared/data
};
const Case kCases[] = {{"water", "water/water_deepmd_train.xyz"}, {"hea", "solids/hea_bulk.xyz"}};

// The model directory and `eqt predict`'s labels, made once per test process and only when used.
class PairEqt : public ::testing::Test {
 protected:
  static const fs::path& model() {
    static const fs::path dir = write_random_pet(kModel, temp_dir("lammps_model"));
    return dir;
  }
  static const fs::path& equiformer() {
    static const fs::path dir = write_random_equiformer(kModel.species, temp_dir("lammps_equiformer_model") / "model");
    return dir;
  }

  static const Prepared& prepared(const std::string& name) {
    static std::map<std::string, Prepared> cache;
    auto found = cache.find(name);
    if (found != cache.end()) return found->second;
    if (name == "hea_triclinic") {
      // The alloy in a sheared cell (same positions): a triclinic LAMMPS box with all three tilts.
      data::Structure s = prepared("hea").structure;
      s.cell = s.cell.clone();
      s.cell[1][0] = 1.2;
      s.cell[2][0] = 0.5;
      s.cell[2][1] = -0.7;
      return cache[name] = Prepared{s, eqt_predict(run_dir("predict_" + name), s, model())};
    }
    const Case* c = std::find_if(std::begin(kCases), std::end(kCases), [&](const Case& k) { return name == k.name; });
    const data::Structure s = first_frame(*shared_dir() / "data" / c->file);
    return cache[name] = Prepared{s, eqt_predict(run_dir("predict_" + name), s, model())};
  }

  static fs::path run_dir(const std::string& name) { return temp_dir("lammps_" + name); }
};

#define EQT_LAMMPS_TEST_SETUP()       \
  EQT_REQUIRE_LAMMPS();               \
  EQT_REQUIRE_SHARED(shared);         \
  (void)shared

// (structure, MPI ranks, newton_pair)
class PairEqtParity : public PairEqt, public ::testing::WithParamInterface<std::tuple<std::string, int, bool>> {};

TEST_P(PairEqtParity, EnergyForcesVirialEqualEqtPredict) {
  EQT_LAMMPS_TEST_SETUP();
  const auto& [name, ranks, newton] = GetParam();
  const Prepared& p = prepared(name);
  const LammpsResult r = lammps_single_point(run_dir(name), p.structure, model(), ranks, newton, kLocal);
  expect_equal(r, p.expected, fmt::format("{}, {} rank(s), newton {}", name, ranks, newton ? "on" : "off"));
  // compute pe/atom: PET's atomic energies add up to its energy (no per-structure constant).
  EXPECT_NEAR(r.atomic_energy_sum, p.expected.energy, 1e-10);
}

TEST_F(PairEqt, TriclinicBoxOnTwoRanks) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea_triclinic");
  for (bool newton : {true, false}) {
    const LammpsResult r = lammps_single_point(run_dir("triclinic"), p.structure, model(), 2, newton, kLocal);
    expect_equal(r, p.expected, fmt::format("triclinic alloy, newton {}", newton ? "on" : "off"));
  }
}

// Equiformer: the mean is a per-structure constant, and its atomic energies come from a different
// network; 2 ranks, both newton modes, on the alloy.
TEST_F(PairEqt, EquiformerEqualsEqtPredictOnTwoRanks) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  const Labels expected = eqt_predict(run_dir("predict_equiformer"), p.structure, equiformer());
  for (bool newton : {true, false}) {
    const LammpsResult r = lammps_single_point(run_dir("equiformer"), p.structure, equiformer(), 2, newton);
    expect_equal(r, expected, fmt::format("equiformer, newton {}", newton ? "on" : "off"));
    // Per-atom energies exclude the mean (-3.5 eV), which the total has once.
    EXPECT_NEAR(r.atomic_energy_sum - 3.5, expected.energy, 1e-10);
  }
}

INSTANTIATE_TEST_SUITE_P(WaterAndAlloy, PairEqtParity,
                         ::testing::Combine(::testing::Values("water", "hea"), ::testing::Values(1, 2),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return fmt::format("{}_{}ranks_newton_{}", std::get<0>(info.param), std::get<1>(info.param),
                                              std::get<2>(info.param) ? "on" : "off");
                         });

TEST_F(PairEqt, Float32AgreesToSinglePrecision) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  const LammpsResult r = lammps_single_point(run_dir("hea32"), p.structure, model(), 2, true, "float32 mode local");
  EXPECT_NEAR(r.energy, p.expected.energy, 1e-3 * std::max(1.0, std::abs(p.expected.energy)));
  EXPECT_LT(max_abs_diff(r.forces, p.expected.forces), 1e-3);
}

TEST_F(PairEqt, ShortNveRunConservesEnergyOnTwoRanks) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  expect_short_nve_conserves_energy(run_dir("nve"), p.structure, p.expected.energy, model().string() + " " + kLocal, 0.05);
}

TEST_F(PairEqt, RejectsUnknownElementsAndBrokenModels) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("water");
  // Carbon is not among the model's species.
  data::Structure carbon = p.structure;
  carbon.numbers[0] = 6;
  try {
    lammps_single_point(run_dir("unknown"), carbon, model(), 1, true);
    ADD_FAILURE() << "a carbon atom was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("pair_style eqt"), std::string::npos) << e.what();
  }
  // A truncated weights file.
  const fs::path broken = temp_dir("lammps_broken_model");
  fs::create_directories(broken);
  fs::copy(model(), broken, fs::copy_options::overwrite_existing | fs::copy_options::recursive);
  fs::resize_file(broken / "weights.safetensors", fs::file_size(broken / "weights.safetensors") / 2);
  try {
    lammps_single_point(run_dir("broken"), p.structure, broken, 1, true);
    ADD_FAILURE() << "a truncated model was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("weights.safetensors"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqt::testing
