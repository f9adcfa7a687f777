// Equiformer's per-atom energies: they add up to the energy less the per-structure mean, and
// the mean is the only part that belongs to no atom.
#include <gtest/gtest.h>

#include "eqt/models/model_dir.h"
#include "model_dir_fixtures.h"

namespace eqt::testing {
namespace {

TEST(EquiformerAtomicEnergies, SumToTheEnergyLessTheMean) {
  EQT_REQUIRE_SHARED(shared);
  for (const char* config : kEquiformerReferenceConfigs) {
    const auto dir = equiformer_reference_dir(shared) / config;
    const auto model = models::load_model(dir, at::kDouble);
    const double mean = load_json(dir / "config.json").at("constructor_kwargs").value("mean", 0.0);
    const auto structures = reference_structures(shared);
    std::vector<const data::Structure*> all;
    for (const auto& s : structures) all.push_back(&s);
    const data::Graph graph = graph_of(all, model->cutoff());
    const auto out = model->forward(graph);
    const at::Tensor atomic = out.at("atomic_energies");
    ASSERT_EQ(atomic.size(0), graph.num_atoms()) << config;
    const at::Tensor summed = at::zeros_like(out.at("energy")).index_add(0, graph.batch, atomic);
    EXPECT_TRUE(at::allclose(summed + mean, out.at("energy"), 1e-12, 1e-9)) << config;
  }
}

}  // namespace
}  // namespace eqt::testing

namespace eqt::testing {
namespace {

// Atoms farther apart than the cutoff give a graph without edges: every edge tensor is empty, and
// each atom's energy is that of an isolated atom (no forces). LAMMPS ranks and dilute gases hit this.
TEST(EquiformerAtomicEnergies, GraphWithoutEdgesGivesIsolatedAtomEnergies) {
  at::manual_seed(11);
  models::equiformer::EquiformerModel model(small_config(), at::kDouble);
  const double far = 10.0 * model.cutoff();
  const auto pair = data::make_structure({6, 6}, at::tensor({0.0, 0.0, 0.0, far, 0.0, 0.0}, at::kDouble).view({2, 3}));
  const auto single = data::make_structure({6}, at::zeros({1, 3}, at::kDouble));
  const auto both = models::evaluate(model, graph_of(pair, model.cutoff()));
  const auto one = models::evaluate(model, graph_of(single, model.cutoff()));
  EXPECT_EQ(graph_of(pair, model.cutoff()).edge_index.size(1), 0);
  // Per atom, not per structure: the normalisation mean is added once per structure.
  const at::Tensor isolated = one.outputs.at("atomic_energies");
  EXPECT_TRUE(at::allclose(both.outputs.at("atomic_energies"), isolated.expand({2}), 0.0, 1e-12));
  EXPECT_EQ(both.forces.abs().max().item<double>(), 0.0);
}

}  // namespace
}  // namespace eqt::testing
