// pair_style eqt in LAMMPS (build/eqt-lammps) against `eqt predict` on periodic water and a
// high-entropy alloy: energy, forces and virial to 1e-10 eV (float64), with 1 and 2 MPI ranks and
// newton_pair on and off; a short NVE run; clear errors for bad models and elements.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "lammps_fixtures.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// Water (H, O) and the alloy's first frame (Co, Cu, Mo, Ni, Rh, W): one random PET for both,
// cutoff 3 A and 2 message-passing layers, so ghost shells reach 6 A (12 A with newton off).
const RandomPetSpec kModel{{1, 8, 27, 28, 29, 42, 45, 74}, 3.0, 2, 5};

struct Case {
  const char* name;
  const char* file;  // under ../shared/data
};
const Case kCases[] = {{"water", "water/water_deepmd_train.xyz"}, {"hea", "solids/hea_bulk.xyz"}};

struct Prepared {
  data::Structure structure;
  Labels expected;
};

class PairEqt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto shared = shared_dir();
    if (!shared || lammps_executable().empty()) return;
    root_ = new fs::path(temp_dir("lammps_pair_eqt"));
    model_ = new fs::path(write_random_pet(kModel, *root_ / "model"));
    prepared_ = new std::map<std::string, Prepared>();
    for (const auto& c : kCases) {
      const fs::path dir = *root_ / c.name;
      fs::create_directories(dir);
      const data::Structure s = first_frame(*shared / "data" / c.file);
      (*prepared_)[c.name] = {s, eqt_predict(dir, s, *model_)};
    }
  }

  static const Prepared& prepared(const std::string& name) { return prepared_->at(name); }
  static fs::path run_dir(const std::string& name) {
    const fs::path dir = temp_dir("lammps_" + name);
    fs::create_directories(dir);
    return dir;
  }

  static fs::path* root_;
  static fs::path* model_;
  static std::map<std::string, Prepared>* prepared_;
};

fs::path* PairEqt::root_ = nullptr;
fs::path* PairEqt::model_ = nullptr;
std::map<std::string, Prepared>* PairEqt::prepared_ = nullptr;

#define EQT_LAMMPS_TEST_SETUP()       \
  EQT_REQUIRE_LAMMPS();               \
  EQT_REQUIRE_SHARED(shared);         \
  (void)shared

void expect_equal(const LammpsResult& got, const Labels& want, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_NEAR(got.energy, want.energy, 1e-10);
  EXPECT_LT(max_abs_diff(got.forces, want.forces), 1e-10);
  EXPECT_LT(max_abs_diff(got.virial, want.virial), 1e-10) << got.virial << "\nexpected\n" << want.virial;
  // The comparison means something: forces and virial are far from zero.
  EXPECT_GT(want.forces.abs().max().item<double>(), 1e-2);
  EXPECT_GT(want.virial.abs().max().item<double>(), 1e-2);
}

TEST_F(PairEqt, EnergyForcesVirialEqualEqtPredictWithOneAndTwoRanksNewtonOnAndOff) {
  EQT_LAMMPS_TEST_SETUP();
  for (const auto& c : kCases) {
    const Prepared& p = prepared(c.name);
    for (int ranks : {1, 2}) {
      for (bool newton : {true, false}) {
        const std::string what = fmt::format("{}, {} rank(s), newton {}", c.name, ranks, newton ? "on" : "off");
        const LammpsResult r = lammps_single_point(run_dir(c.name), p.structure, *model_, ranks, newton);
        expect_equal(r, p.expected, what);
      }
    }
  }
}

TEST_F(PairEqt, Float32AgreesToSinglePrecision) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  const LammpsResult r = lammps_single_point(run_dir("hea32"), p.structure, *model_, 2, true, "float32");
  EXPECT_NEAR(r.energy, p.expected.energy, 1e-3 * std::max(1.0, std::abs(p.expected.energy)));
  EXPECT_LT(max_abs_diff(r.forces, p.expected.forces), 1e-3);
}

TEST_F(PairEqt, ShortNveRunConservesEnergyOnTwoRanks) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  const fs::path dir = run_dir("nve");
  write_lammps_data(p.structure, dir / "structure.data");
  // A thin skin makes LAMMPS re-neighbour (new ghost atoms) during the run.
  const std::string input = fmt::format(R"LMP(units metal
atom_style atomic
atom_modify map array
boundary p p p
read_data structure.data
pair_style eqt {} float64
pair_coeff * *{}
neighbor 0.05 bin
neigh_modify every 1 delay 0 check yes
velocity all create 1000 4928459 mom yes rot no dist gaussian
fix nve all nve
timestep 0.001
thermo 10
thermo_style custom step temp pe ke etotal
run 0
print "EQT_START $(etotal:%.17g) $(pe:%.17g)"
run 40
print "EQT_END $(etotal:%.17g) $(pe:%.17g)"
)LMP",
                                        model_->string(), element_list(p.structure));
  const CommandResult run = run_lammps(dir, input, 2);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto start = printed_values(run.output, "EQT_START"), end = printed_values(run.output, "EQT_END");
  EXPECT_NEAR(start[1], p.expected.energy, 1e-10);
  // 40 fs of velocity Verlet at 1 fs: total energy constant to well under 1 meV/atom, while the
  // potential energy itself moves by much more.
  const double atoms = static_cast<double>(p.structure.num_atoms());
  EXPECT_LT(std::abs(end[0] - start[0]) / atoms, 2e-4) << run.output;
  EXPECT_GT(std::abs(end[1] - start[1]) / atoms, 1e-3) << run.output;
  EXPECT_NE(run.output.find("Neighbor list builds"), std::string::npos);
}

TEST_F(PairEqt, RejectsUnknownElementsAndBrokenModels) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("water");
  // Carbon is not among the model's species.
  data::Structure carbon = p.structure;
  carbon.numbers[0] = 6;
  try {
    lammps_single_point(run_dir("unknown"), carbon, *model_, 1, true);
    ADD_FAILURE() << "a carbon atom was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("pair_style eqt"), std::string::npos) << e.what();
  }
  // A truncated weights file.
  const fs::path broken = temp_dir("lammps_broken_model");
  fs::create_directories(broken);
  fs::copy(*model_, broken, fs::copy_options::overwrite_existing | fs::copy_options::recursive);
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
