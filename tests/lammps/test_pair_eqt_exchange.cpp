// pair_style eqt in mode exchange (the default for Equiformer with a layer norm and for PET): ghost
// atoms one cutoff + skin deep, node features (Equiformer) or messages per edge (PET) exchanged after
// every message-passing step with LAMMPS's own forward / reverse communication. Against `eqt
// predict` and the whole-structure model, for a random Equiformer and a random three-layer PET:
// energy, forces, virial, per-atom energies and per-atom virials to 1e-10 (float64) with 1, 2 and 4
// ranks, newton on and off, orthogonal and triclinic boxes, and after a run in which atoms change
// ranks.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "eqt/data/batch.h"
#include "eqt/models/model_dir.h"
#include "lammps_fixtures.h"
#include "support/atomic_virials.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<int64_t> kSpecies{1, 8, 27, 28, 29, 42, 45, 74};
constexpr double kMean = -3.5;  // write_random_equiformer's normalisation mean: once per system
const std::vector<std::string> kModels{"equiformer", "pet"};

// The per-structure constant of each test model (the random PET has no normalisation).
double mean_of(const std::string& kind) { return kind == "equiformer" ? kMean : 0.0; }

struct Expected {
  data::Structure structure;
  Labels labels;                // eqt predict
  at::Tensor atomic_energies;   // [N], the whole-structure model's (mean not included)
  at::Tensor atomic_virials;    // [N, 6]
};

class PairEqtExchange : public ::testing::Test {
 protected:
  // Two blocks: three message-passing steps, two feature exchanges per force call.
  static const fs::path& equiformer() {
    static const fs::path dir = write_random_equiformer(kSpecies, temp_dir("exchange_equiformer") / "model", "layer", 2);
    return dir;
  }
  // Three GNN layers: two exchanges of messages per force call.
  static const fs::path& pet() {
    static const fs::path dir = write_random_pet({kSpecies, 3.0, 3, 5}, temp_dir("exchange_pet_model"));
    return dir;
  }
  static const fs::path& model_dir(const std::string& kind) { return kind == "pet" ? pet() : equiformer(); }
  static fs::path run_dir(const std::string& name) { return temp_dir("exchange_" + name); }

  static Expected expected_for(const std::string& kind, const data::Structure& s, const std::string& name) {
    Expected e{s, eqt_predict(run_dir("predict_" + name), s, model_dir(kind)), {}, {}};
    const auto model = models::load_model(model_dir(kind), at::kDouble);
    const data::Graph graph = data::collate({&s}, model->cutoff(), at::kDouble);
    e.atomic_energies = model->forward(graph).at("atomic_energies").detach();
    e.atomic_virials = periodic_atomic_virials(*model, s);
    return e;
  }

  // kind: "equiformer" or "pet"; name: the structure.
  static const Expected& expected(const std::string& name, const std::string& kind = "equiformer") {
    static std::map<std::string, Expected> cache;
    auto found = cache.find(kind + "_" + name);
    if (found != cache.end()) return found->second;
    data::Structure s;
    if (name == "water") s = first_frame(*shared_dir() / "data/water/water_deepmd_train.xyz");
    if (name == "hea" || name == "hea_triclinic") s = first_frame(*shared_dir() / "data/solids/hea_bulk.xyz");
    if (name == "hea_triclinic") {
      s.cell = s.cell.clone();
      s.cell[1][0] = 1.2;
      s.cell[2][0] = 0.5;
      s.cell[2][1] = -0.7;
    }
    return cache[kind + "_" + name] = expected_for(kind, s, kind + "_" + name);
  }
};

#define EQT_EXCHANGE_TEST_SETUP() \
  EQT_REQUIRE_LAMMPS();           \
  EQT_REQUIRE_SHARED(shared);     \
  (void)shared

// (model, structure, MPI ranks, newton_pair)
class PairEqtExchangeParity
    : public PairEqtExchange,
      public ::testing::WithParamInterface<std::tuple<std::string, std::string, int, bool>> {};

TEST_P(PairEqtExchangeParity, EqualsEqtPredictAndTheWholeStructureModel) {
  EQT_EXCHANGE_TEST_SETUP();
  const auto& [kind, structure, ranks, newton] = GetParam();
  const Expected& e = expected(structure, kind);
  const std::string name = kind + "_" + structure;
  const std::string what = fmt::format("{}, {} rank(s), newton {}", name, ranks, newton ? "on" : "off");
  const LammpsResult r = lammps_single_point(run_dir(name), e.structure, model_dir(kind), ranks, newton);
  expect_equal(r, e.labels, what);
  EXPECT_NE(r.output.find("mode exchange (default for this model)"), std::string::npos) << r.output;
  // No ghost shell as deep as the receptive field: LAMMPS's cutoff + skin.
  EXPECT_EQ(r.output.find("communication cutoff set to"), std::string::npos) << r.output;
  EXPECT_NEAR(r.atomic_energy_sum + mean_of(kind), e.labels.energy, 1e-10);

  const PerAtom per_atom = lammps_per_atom(run_dir(name + "_per_atom"), e.structure, model_dir(kind), ranks, newton);
  EXPECT_LT(max_abs_diff(per_atom.energies, e.atomic_energies), 1e-10) << what;
  EXPECT_LT(max_abs_diff(per_atom.virials, e.atomic_virials), 1e-10) << what;
  EXPECT_LT(max_abs_diff(per_atom.virials.sum(0), e.labels.virial), 1e-10) << what;
  EXPECT_GT(e.atomic_virials.abs().max().item<double>(), 1e-2);
}

INSTANTIATE_TEST_SUITE_P(WaterAndAlloy, PairEqtExchangeParity,
                         ::testing::Combine(::testing::ValuesIn(kModels), ::testing::Values("water", "hea"),
                                            ::testing::Values(1, 2, 4), ::testing::Bool()),
                         [](const auto& info) {
                           return fmt::format("{}_{}_{}ranks_newton_{}", std::get<0>(info.param),
                                              std::get<1>(info.param), std::get<2>(info.param),
                                              std::get<3>(info.param) ? "on" : "off");
                         });

TEST_F(PairEqtExchange, TriclinicBox) {
  EQT_EXCHANGE_TEST_SETUP();
  for (const std::string& kind : kModels) {
    const Expected& e = expected("hea_triclinic", kind);
    for (int ranks : {2, 4})
      for (bool newton : {true, false}) {
        const std::string what =
            fmt::format("{}, triclinic alloy, {} ranks, newton {}", kind, ranks, newton ? "on" : "off");
        expect_equal(lammps_single_point(run_dir("triclinic"), e.structure, model_dir(kind), ranks, newton), e.labels,
                     what);
        const PerAtom per_atom =
            lammps_per_atom(run_dir("triclinic_per_atom"), e.structure, model_dir(kind), ranks, newton);
        EXPECT_LT(max_abs_diff(per_atom.energies, e.atomic_energies), 1e-10) << what;
        EXPECT_LT(max_abs_diff(per_atom.virials, e.atomic_virials), 1e-10) << what;
      }
  }
}

// 4 ranks, hot alloy, thin skin: LAMMPS re-neighbours and atoms move to other ranks. The final
// energy and forces still equal eqt predict on the final positions.
class PairEqtExchangeMigration : public PairEqtExchange, public ::testing::WithParamInterface<std::string> {};

TEST_P(PairEqtExchangeMigration, AtomsMigratingBetweenRanks) {
  EQT_EXCHANGE_TEST_SETUP();
  const std::string kind = GetParam();
  const Expected& e = expected("hea", kind);
  const fs::path dir = run_dir("migration_" + kind);
  write_lammps_data(e.structure, dir / "structure.data");
  const std::string input = fmt::format(R"LMP(units metal
atom_style atomic
atom_modify map array
boundary p p p
read_data structure.data
pair_style eqt {} float64
pair_coeff * *{}
neighbor 0.1 bin
neigh_modify every 1 delay 0 check yes
compute owner all property/atom proc
dump state all custom 60 state.dump id c_owner x y z fx fy fz
dump_modify state sort id format float %.17g
velocity all create 3000 4928459 mom yes rot no dist gaussian
fix nve all nve
timestep 0.001
thermo_style custom step temp pe ke etotal
run 60
print "EQT_END $(etotal:%.17g) $(pe:%.17g)"
)LMP",
                                        model_dir(kind).string(), element_list(e.structure));
  const CommandResult run = run_lammps(dir, input, 4);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("mode exchange"), std::string::npos) << run.output;

  // The dump's two snapshots, steps 0 and 60 (columns: id owner x y z fx fy fz).
  std::ifstream dump(dir / "state.dump");
  const auto next_snapshot = [&] {
    std::string line;
    while (std::getline(dump, line) && line.rfind("ITEM: ATOMS", 0) != 0) {
    }
    at::Tensor table = at::zeros({e.structure.num_atoms(), 8}, at::kDouble);
    auto t = table.accessor<double, 2>();
    for (int64_t i = 0; i < e.structure.num_atoms(); ++i)
      for (int c = 0; c < 8; ++c) dump >> t[i][c];
    return table;
  };
  const at::Tensor start = next_snapshot();
  const at::Tensor end = next_snapshot();
  const int64_t moved = start.select(1, 1).ne(end.select(1, 1)).sum().item<int64_t>();
  EXPECT_GT(moved, 0) << "no atom changed rank; the test would not test migration";

  data::Structure final_state = e.structure;
  final_state.positions = end.narrow(1, 2, 3).contiguous();
  const Labels want = eqt_predict(run_dir("migration_predict_" + kind), final_state, model_dir(kind));
  const auto finish = printed_values(run.output, "EQT_END");
  EXPECT_NEAR(finish[1], want.energy, 1e-10);
  EXPECT_LT(max_abs_diff(end.narrow(1, 5, 3), want.forces), 1e-10);
  EXPECT_GT(max_abs_diff(end.narrow(1, 2, 3), start.narrow(1, 2, 3)), 0.1);  // the atoms did move
}

INSTANTIATE_TEST_SUITE_P(Models, PairEqtExchangeMigration, ::testing::ValuesIn(kModels),
                         [](const auto& info) { return info.param; });

// NVE on 2 ranks with re-neighbouring: mode exchange follows mode local's trajectory to rounding,
// and its energy error is integration error (4x smaller at half the time step), not a leak of the
// exchange. (The random two-block model is steep: the alloy heats from 300 to ~660 K in 20 fs.)
TEST_F(PairEqtExchange, NveRunFollowsModeLocalAndConservesEnergy) {
  EQT_EXCHANGE_TEST_SETUP();
  const Expected& e = expected("hea");
  const fs::path dir = run_dir("nve");
  write_lammps_data(e.structure, dir / "structure.data");
  const auto run_nve = [&](const std::string& mode, double timestep, int steps) {
    const std::string input = fmt::format(R"LMP(units metal
atom_style atomic
atom_modify map array
boundary p p p
read_data structure.data
pair_style eqt {} float64 mode {}
pair_coeff * *{}
neighbor 0.05 bin
neigh_modify every 1 delay 0 check yes
velocity all create 300 4928459 mom yes rot no dist gaussian
fix nve all nve
timestep {}
thermo_style custom step temp pe ke etotal
run 0
print "EQT_START $(etotal:%.17g)"
run {}
print "EQT_END $(etotal:%.17g) $(pe:%.17g)"
)LMP",
                                          equiformer().string(), mode, element_list(e.structure), timestep, steps);
    const CommandResult run = run_lammps(dir, input, 2);
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("Neighbor list builds"), std::string::npos);
    const double start = printed_values(run.output, "EQT_START").at(0);
    const auto end = printed_values(run.output, "EQT_END");
    return std::make_pair(end.at(1), std::abs(end.at(0) - start));  // final potential energy, |E - E0|
  };
  const auto [pe_exchange, error_exchange] = run_nve("exchange", 0.001, 20);
  const auto [pe_local, error_local] = run_nve("local", 0.001, 20);
  EXPECT_NEAR(pe_exchange, pe_local, 1e-9);
  EXPECT_NEAR(error_exchange, error_local, 1e-9);
  const auto [pe_half, error_half] = run_nve("exchange", 0.0005, 40);
  EXPECT_GT(std::abs(pe_half - e.labels.energy), 100 * error_half);  // the atoms moved
  const double ratio = error_exchange / error_half;
  EXPECT_GT(ratio, 3.0);
  EXPECT_LT(ratio, 5.5);
}

// An OC20 (IS2RE) model needs per-atom tags and OC20's slab graph: refused at pair_style, clearly.
TEST_F(PairEqtExchange, RefusesOc20Models) {
  EQT_EXCHANGE_TEST_SETUP();
  const fs::path oc20 = *shared_dir() / "reference/equiformer_oc20/small_dp_aux";
  ASSERT_TRUE(fs::exists(oc20 / "config.json")) << oc20;
  try {
    lammps_single_point(run_dir("oc20"), expected("hea").structure, oc20, 1, true);
    ADD_FAILURE() << "an OC20 model was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("OC20 graph rule"), std::string::npos) << error.what();
  }
}

// pair_style eqt takes what eqt predict --model takes: here a training run directory (RUN/model/).
TEST_F(PairEqtExchange, RunDirectoryAsInEqtPredict) {
  EQT_EXCHANGE_TEST_SETUP();
  const Expected& e = expected("hea");
  const fs::path run_directory = equiformer().parent_path();
  ASSERT_FALSE(fs::exists(run_directory / "model.json"));
  const LammpsResult r = lammps_single_point(run_dir("run_directory"), e.structure, run_directory, 2, true);
  expect_equal(r, e.labels, "run directory");
}

// PET runs in mode local on request (its deep shell, same result); per-atom virials are refused
// there. In float32, mode exchange matches its messages within 1e-3 A and agrees to single precision.
TEST_F(PairEqtExchange, PetInModeLocalOnRequestAndInFloat32) {
  EQT_EXCHANGE_TEST_SETUP();
  const Expected& e = expected("hea", "pet");
  const LammpsResult local = lammps_single_point(run_dir("pet_local"), e.structure, pet(), 2, true, "float64 mode local");
  expect_equal(local, e.labels, "pet, mode local");
  EXPECT_NE(local.output.find("communication cutoff set to"), std::string::npos) << local.output;
  try {
    lammps_per_atom(run_dir("pet_per_atom_local"), e.structure, pet(), 1, true, "float64 mode local");
    ADD_FAILURE() << "compute stress/atom was accepted in mode local";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("in mode exchange only"), std::string::npos) << error.what();
  }
  const LammpsResult single = lammps_single_point(run_dir("pet_float32"), e.structure, pet(), 2, true, "float32");
  EXPECT_NE(single.output.find("mode exchange (default for this model)"), std::string::npos) << single.output;
  EXPECT_NEAR(single.energy, e.labels.energy, 1e-3 * std::max(1.0, std::abs(e.labels.energy)));
  EXPECT_LT(max_abs_diff(single.forces, e.labels.forces), 1e-3);
  // The Equiformer still runs in mode local on request, with the deep shell.
  const LammpsResult equiformer_local =
      lammps_single_point(run_dir("equiformer_local"), e.structure, equiformer(), 2, true, "float64 mode local");
  expect_equal(equiformer_local, expected("hea").labels, "equiformer, mode local");
  EXPECT_NE(equiformer_local.output.find("communication cutoff set to"), std::string::npos) << equiformer_local.output;
}

}  // namespace
}  // namespace eqt::testing
