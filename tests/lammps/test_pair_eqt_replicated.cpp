// pair_style eqt in replicated mode (rank 0 evaluates the whole periodic system): an ECSE-wrapped
// PET, whose atomic energies depend on the whole structure, equals `eqt predict` (energy, forces,
// virial to 1e-10, float64) with 1 and 2 MPI ranks and newton on and off, on a triclinic carbon
// crystal, a small periodic water box and a column of the high-entropy alloy; replicated mode forced on a plain PET equals local mode
// and eqt predict; mode local is refused for ECSE with a message saying what to use instead.
#include <gtest/gtest.h>

#include <ATen/detail/CUDAHooksInterface.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <tuple>

#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/model_dir.h"
#include "lammps_fixtures.h"
#include "support/random_pet.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// A random PET backbone (cutoff 3 A, 2 layers) for carbon, water and the alloy, wrapped in ECSE with the
// default hypers and saved in eqt's model-directory format (kind "ecse(pet)").
const RandomPetSpec kBackbone{{1, 6, 8, 27, 28, 29, 42, 45, 74}, 3.0, 2, 11};

fs::path write_ecse_model(const fs::path& dir) {
  auto ecse = std::make_shared<models::ecse::EcseModel>(random_pet(kBackbone));
  models::save_model(*ecse, dir, {kBackbone.species});
  return dir;
}

// Water molecules whose oxygen lies in one octant of the first frame of water_deepmd_train.xyz,
// in the full cell: ~24 atoms, whole molecules and their hydrogen bonds, so ECSE stays cheap.
data::Structure small_water(const data::Structure& water) {
  const at::Tensor cell = water.cell;
  const at::Tensor fractional = at::linalg_solve(cell.t(), water.positions.t()).t();
  const at::Tensor wrapped = at::matmul(fractional - at::floor(fractional), cell);
  const at::Tensor oxygen = (water.numbers == 8) & (fractional - at::floor(fractional) < 0.5).all(1);
  at::Tensor keep = oxygen.clone();
  for (int64_t i = 0; i < water.num_atoms(); ++i) {
    if (water.numbers[i].item<int64_t>() != 1) continue;
    // Minimum-image distance to every kept oxygen (orthorhombic cell).
    at::Tensor d = wrapped.index_select(0, oxygen.nonzero().squeeze(1)) - wrapped[i];
    const at::Tensor lengths = at::diagonal(cell);
    d = d - lengths * at::round(d / lengths);
    keep[i].fill_((d.norm(2, 1) < 1.2).any().item<bool>());
  }
  const at::Tensor index = keep.nonzero().squeeze(1);
  const at::Tensor numbers = water.numbers.index_select(0, index);
  const std::vector<int64_t> z(numbers.data_ptr<int64_t>(), numbers.data_ptr<int64_t>() + numbers.numel());
  return data::make_structure(z, wrapped.index_select(0, index), cell, {true, true, true});
}

// The alloy's atoms in one quarter of its cell (fractional x, y < 0.5), in the full cell: ~12 of
// its 48 atoms, because ECSE's cost grows with the number of frames times the structure's size.
data::Structure alloy_column(const data::Structure& alloy) {
  const at::Tensor fractional = at::linalg_solve(alloy.cell.t(), alloy.positions.t()).t();
  const at::Tensor wrapped = fractional - at::floor(fractional);
  const at::Tensor index = ((wrapped.select(1, 0) < 0.5) & (wrapped.select(1, 1) < 0.5)).nonzero().squeeze(1);
  const at::Tensor numbers = alloy.numbers.index_select(0, index);
  const std::vector<int64_t> z(numbers.data_ptr<int64_t>(), numbers.data_ptr<int64_t>() + numbers.numel());
  return data::make_structure(z, alloy.positions.index_select(0, index), alloy.cell, {true, true, true});
}

class PairEqtReplicated : public ::testing::Test {
 protected:
  static const fs::path& ecse_model() {
    static const fs::path dir = write_ecse_model(temp_dir("lammps_ecse_model") / "model");
    return dir;
  }
  static const fs::path& pet_model() {
    static const fs::path dir = write_random_pet({{27, 28, 29, 42, 45, 74}, 3.0, 2, 5}, temp_dir("lammps_pet_model"));
    return dir;
  }
  static fs::path run_dir(const std::string& name) { return temp_dir("lammps_replicated_" + name); }

  static const Prepared& prepared(const std::string& name) {
    static std::map<std::string, Prepared> cache;
    const auto found = cache.find(name);
    if (found != cache.end()) return found->second;
    const fs::path data = *shared_dir() / "data";
    data::Structure s;
    fs::path model = ecse_model();
    if (name == "carbon") s = first_frame(data / "solids" / "carbon_gap20.xyz");
    if (name == "water") s = small_water(first_frame(data / "water" / "water_deepmd_train.xyz"));
    if (name == "hea") {
      s = first_frame(data / "solids" / "hea_bulk.xyz");
      model = pet_model();
    }
    if (name == "hea_column") s = alloy_column(first_frame(data / "solids" / "hea_bulk.xyz"));
    return cache[name] = Prepared{s, eqt_predict(run_dir("predict_" + name), s, model)};
  }
};

#define EQT_LAMMPS_TEST_SETUP() \
  EQT_REQUIRE_LAMMPS();         \
  EQT_REQUIRE_SHARED(shared);   \
  (void)shared

// (structure, MPI ranks, newton_pair)
class EcseParity : public PairEqtReplicated,
                   public ::testing::WithParamInterface<std::tuple<std::string, int, bool>> {};

TEST_P(EcseParity, EnergyForcesVirialEqualEqtPredict) {
  EQT_LAMMPS_TEST_SETUP();
  const auto& [name, ranks, newton] = GetParam();
  const Prepared& p = prepared(name);
  // No mode given: an ECSE model has no finite interaction range, so replicated is the default.
  const LammpsResult r = lammps_single_point(run_dir(name), p.structure, ecse_model(), ranks, newton);
  expect_equal(r, p.expected, fmt::format("ecse(pet), {}, {} rank(s), newton {}", name, ranks, newton ? "on" : "off"));
  EXPECT_NE(r.output.find("mode replicated"), std::string::npos) << r.output;
  // compute pe/atom: ECSE averages PET's atomic energies with per-structure weights, so they
  // still add up to the energy.
  EXPECT_NEAR(r.atomic_energy_sum, p.expected.energy, 1e-10);
}

INSTANTIATE_TEST_SUITE_P(CarbonAndWater, EcseParity,
                         ::testing::Combine(::testing::Values("carbon", "water"), ::testing::Values(1, 2),
                                            ::testing::Bool()),
                         [](const auto& info) {
                           return fmt::format("{}_{}ranks_newton_{}", std::get<0>(info.param), std::get<1>(info.param),
                                              std::get<2>(info.param) ? "on" : "off");
                         });

// The six-element alloy, cut to a column of its cell (alloy_column): 2 ranks, both newton modes.
TEST_F(PairEqtReplicated, EcseOnTheAlloyEqualsEqtPredictOnTwoRanks) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea_column");
  for (bool newton : {true, false}) {
    const LammpsResult r = lammps_single_point(run_dir("hea_column"), p.structure, ecse_model(), 2, newton);
    expect_equal(r, p.expected, fmt::format("ecse(pet), alloy column, 2 ranks, newton {}", newton ? "on" : "off"));
  }
}

TEST_F(PairEqtReplicated, ForcedOnPetEqualsLocalModeAndEqtPredict) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  const LammpsResult local = lammps_single_point(run_dir("local"), p.structure, pet_model(), 2, true, "float64 mode local");
  EXPECT_NE(local.output.find("mode local"), std::string::npos) << local.output;
  for (bool newton : {true, false}) {
    const LammpsResult replicated =
        lammps_single_point(run_dir("forced"), p.structure, pet_model(), 2, newton, "float64 mode replicated");
    EXPECT_NE(replicated.output.find("mode replicated"), std::string::npos) << replicated.output;
    expect_equal(replicated, p.expected, fmt::format("replicated PET, newton {}", newton ? "on" : "off"));
    EXPECT_NEAR(replicated.energy, local.energy, 1e-10);
    EXPECT_LT(max_abs_diff(replicated.forces, local.forces), 1e-10);
    EXPECT_LT(max_abs_diff(replicated.virial, local.virial), 1e-10);
  }
}

// The ecse keywords wrap a plain model as `eqt predict --ecse` does (same options, same numbers).
TEST_F(PairEqtReplicated, EcseKeywordOnPlainPetEqualsEqtPredictWithEcse) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea_column");
  for (const std::string pruning : {"single", "official"}) {
    const Labels expected = eqt_predict(run_dir("predict_ecse_keyword_" + pruning), p.structure, pet_model(),
                                        "--ecse --ecse-pruning " + pruning);
    const LammpsResult r = lammps_single_point(run_dir("ecse_keyword_" + pruning), p.structure, pet_model(), 2, true,
                                               "float64 ecse ecse_pruning " + pruning);
    EXPECT_NE(r.output.find("mode replicated"), std::string::npos) << r.output;
    expect_equal(r, expected, "pet + pair_style ecse keyword, pruning " + pruning + ", 2 ranks");
  }
  try {
    lammps_single_point(run_dir("ecse_keyword_refused"), p.structure, pet_model(), 1, true, "ecse_pruning single");
    ADD_FAILURE() << "ecse_pruning without ecse was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("need the keyword ecse"), std::string::npos) << e.what();
  }
}

// `device cuda` on a LibTorch without CUDA: LAMMPS stops with eqt's message (core/device.h).
TEST_F(PairEqtReplicated, DeviceCudaWithoutCudaIsAClearError) {
  EQT_LAMMPS_TEST_SETUP();
  if (at::detail::getCUDAHooks().hasCUDA()) GTEST_SKIP() << "this build has CUDA (scripts/gpu-check.sh tests it)";
  const Prepared& p = prepared("hea");
  const LammpsResult cpu = lammps_single_point(run_dir("device_cpu"), p.structure, pet_model(), 1, true,
                                               "float64 device cpu");
  expect_equal(cpu, p.expected, "pet, device cpu");
  try {
    lammps_single_point(run_dir("device_cuda"), p.structure, pet_model(), 1, true, "float64 device cuda");
    ADD_FAILURE() << "device cuda was accepted by a build without CUDA";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--device cuda: this eqt cannot use CUDA"), std::string::npos) << e.what();
  }
}

TEST_F(PairEqtReplicated, LocalModeIsRefusedForEcse) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("carbon");
  try {
    lammps_single_point(run_dir("refused"), p.structure, ecse_model(), 1, true, "mode local");
    ADD_FAILURE() << "mode local was accepted for an ECSE model";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("use mode replicated"), std::string::npos) << e.what();
  }
}

// Equiformer with a graph norm: its atomic energies are non-local too, so replicated is the default;
// its normalisation mean (-3.5 eV) is in the energy once, not once per rank.
TEST_F(PairEqtReplicated, GraphNormEquiformerDefaultsToReplicated) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  const fs::path model =
      write_random_equiformer(elements_of(p.structure), temp_dir("lammps_graph_norm_model") / "model", "graph");
  const Labels expected = eqt_predict(run_dir("predict_graph_norm"), p.structure, model);
  const LammpsResult r = lammps_single_point(run_dir("graph_norm"), p.structure, model, 2, false);
  EXPECT_NE(r.output.find("mode replicated"), std::string::npos) << r.output;
  expect_equal(r, expected, "graph-norm equiformer, 2 ranks, newton off");
}

// Dynamics: with a thin skin LAMMPS re-neighbours (and re-orders each rank's atoms) during the run;
// replicated mode (forced, on the plain PET: ECSE's own energy surface is checked for smoothness
// elsewhere) keeps the total energy constant.
TEST_F(PairEqtReplicated, ShortNveRunConservesEnergyOnTwoRanks) {
  EQT_LAMMPS_TEST_SETUP();
  const Prepared& p = prepared("hea");
  expect_short_nve_conserves_energy(run_dir("nve"), p.structure, p.expected.energy, pet_model().string() + " mode replicated", 0.02);
}

}  // namespace
}  // namespace eqt::testing
