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
