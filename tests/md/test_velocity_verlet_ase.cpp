// eqt's velocity Verlet + skin neighbour list + wrapping against ASE's VelocityVerlet with ASE's
// LennardJones calculator (an independent implementation), from the same start, in float64.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "eqt/md/maxwell_boltzmann.h"
#include "eqt/md/model_forces.h"
#include "eqt/md/run.h"
#include "eqt/md/velocity_verlet.h"
#include "md/md_test_support.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

std::vector<std::vector<double>> rows(const at::Tensor& t) {
  std::vector<std::vector<double>> out;
  const at::Tensor c = t.to(at::kDouble).contiguous();
  for (int64_t i = 0; i < c.size(0); ++i) out.emplace_back(c[i].data_ptr<double>(), c[i].data_ptr<double>() + 3);
  return out;
}

TEST(VelocityVerletAse, LennardJonesArgonMatchesAse) {
  const double rc = 6.0, dt = 5.0;
  const int64_t steps = 200;
  auto state = md::state_from_structure(argon_crystal(2, 5.26, 0.1, 3), "argon");
  md::GaussianSource random(11);
  md::maxwell_boltzmann_velocities(state, random, {300.0, true, false});

  const auto dir = temp_dir("md_vv_ase");
  nlohmann::json start = {{"numbers", std::vector<int64_t>(state.num_atoms(), 18)},
                          {"positions", rows(state.positions)},
                          {"cell", rows(state.cell)},
                          {"pbc", {true, true, true}},
                          {"velocities", rows(state.velocities)},
                          {"sigma", kArgonSigma},
                          {"epsilon", kArgonEpsilon},
                          {"rc", rc},
                          {"dt_fs", dt},
                          {"steps", steps}};
  std::ofstream(dir / "start.json") << start.dump();
  const auto r = run_command(std::string(EQT_TEST_PYTHON) + " " +
                             shell_quote((source_dir() / "tests/md/ase_velocity_verlet.py").string()) + " " +
                             shell_quote((dir / "start.json").string()) + " " + shell_quote((dir / "ase.json").string()));
  if (r.exit_code != 0) EQT_SKIP_OR_FAIL() << "python3 with ASE not available: " << r.output;
  const auto ase = load_json(dir / "ase.json");

  md::ModelForces forces(std::make_shared<LennardJones>(kArgonSigma, kArgonEpsilon, rc), at::kDouble, 0.5);
  md::VelocityVerlet integrator(dt);
  std::vector<double> potential, kinetic;
  md::run_dynamics(state, integrator, forces, steps, [&](const md::MdState& s) {
    potential.push_back(s.potential_energy);
    kinetic.push_back(md::kinetic_energy(s));
  });
  ASSERT_EQ(ase.at("potential").size(), potential.size());
  for (std::size_t k = 0; k < potential.size(); ++k) {
    EXPECT_NEAR(potential[k], ase.at("potential")[k].get<double>(), 1e-9) << "step " << k;
    EXPECT_NEAR(kinetic[k], ase.at("kinetic")[k].get<double>(), 1e-9) << "step " << k;
  }
  // eqt wraps positions into the cell, ASE does not: compare modulo lattice vectors.
  const at::Tensor difference = state.positions - tensor_from_json(ase.at("positions"));
  const at::Tensor fractional = at::matmul(difference, at::inverse(state.cell));
  const at::Tensor residual = at::matmul(fractional - at::round(fractional), state.cell);
  EXPECT_LT(residual.abs().max().item<double>(), 1e-8);
  EXPECT_LT((state.velocities - tensor_from_json(ase.at("velocities"))).abs().max().item<double>(), 1e-10);
  // The run must have exercised the skin list (rebuilds) and wrapping (atoms left the cell).
  EXPECT_GT(forces.neighbour_list().builds(), 1);
  EXPECT_LT(forces.neighbour_list().builds(), steps / 2);
  EXPECT_GT(state.images.abs().sum().item<int64_t>(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
