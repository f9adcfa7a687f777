// Parity with the official OC20 Equiformer classes (GraphAttentionTransformerOC20 and
// DotProductAttentionTransformerOC20 with the IS2RS auxiliary head; reference outputs of the
// unmodified Python code in float64, ../shared/reference/equiformer_oc20): the IS2RE energy, the
// auxiliary vector and -dE/dpos of every structure, one at a time and batched, on graphs built
// by eqt's OC20 rule; the state-dict names; float32; the eqt model-directory round trip.
#include <gtest/gtest.h>

#include <set>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/slab_neighbour_list.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/equiformer_oc20/model_format.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/potential.h"
#include "eqt/models/state_dict.h"
#include "support/oc20_reference.h"
#include "support/reference.h"

namespace eqt::testing {
namespace {

using models::equiformer_oc20::load_oc20_reference;
using models::equiformer_oc20::Oc20EquiformerModel;

constexpr double kOc20RelativeTolerance = 1e-10;
const char* const kOc20Configs[] = {"small_gat_nonlinear_aux", "small_dp_aux"};

// max |a - b| relative to the largest |b| (vectors near zero are compared at the scale of the set).
double oc20_scaled_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-300);
}

data::Graph oc20_graph(const std::vector<const Oc20ReferenceStructure*>& structures, const Oc20EquiformerModel& model,
                       c10::ScalarType dtype = at::kDouble) {
  std::vector<const data::Structure*> atoms;
  std::vector<data::NeighbourList> lists;
  const data::SlabGraphOptions rule{model.cutoff(), model.config().max_neighbours};
  for (const auto* s : structures) {
    atoms.push_back(&s->structure);
    lists.push_back(data::slab_neighbour_list(s->structure, rule));
  }
  return data::collate(atoms, lists, dtype);
}

class Oc20Reference : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const auto shared = shared_dir();
    if (!shared) {
      EQT_SKIP_OR_FAIL() << "../shared not found next to the checkout (set EQT_SHARED_DIR)";
    }
    dir_ = oc20_reference_dir(*shared) / GetParam();
    structures_ = load_oc20_structures(*shared);
    outputs_ = load_json(dir_ / "outputs.json");
    model_ = load_oc20_reference(dir_);
  }

  std::filesystem::path dir_;
  std::vector<Oc20ReferenceStructure> structures_;
  nlohmann::json outputs_;
  std::shared_ptr<Oc20EquiformerModel> model_;
};

TEST_P(Oc20Reference, StateDictNamesAndParameterCountMatchTheFile) {
  const auto file = io::read_safetensors(dir_ / "weights.safetensors").tensors;
  std::set<std::string> model_names, file_names;
  for (const auto& [name, t] : models::state_dict(*model_)) model_names.insert(name);
  for (const auto& [name, t] : file) file_names.insert(name);
  EXPECT_EQ(model_names, file_names);
  int64_t parameters = 0;
  for (const auto& p : model_->parameters()) parameters += p.numel();
  EXPECT_EQ(parameters, load_json(dir_ / "config.json").at("num_parameters").get<int64_t>());
  EXPECT_EQ(model_->config().max_neighbours, 50);
  EXPECT_TRUE(model_->config().use_auxiliary_task);
}

TEST_P(Oc20Reference, EnergyAuxiliaryVectorAndForcesPerStructure) {
  const auto& expected = outputs_.at("per_structure");
  ASSERT_EQ(expected.size(), structures_.size());
  for (std::size_t k = 0; k < structures_.size(); ++k) {
    const auto& ref = expected[k];
    SCOPED_TRACE(ref.at("name").get<std::string>());
    const data::Graph graph = oc20_graph({&structures_[k]}, *model_);
    EXPECT_EQ(graph.num_edges(), ref.at("num_edges").get<int64_t>());
    const auto raw = models::evaluate(*model_, graph, {true, false, false, "energy_raw"});
    const double energy = ref.at("energy").get<double>();
    ASSERT_GT(std::abs(energy), 1e-6);
    EXPECT_NEAR(raw.energy.item<double>(), energy, kOc20RelativeTolerance * std::abs(energy));
    const double denormalised = ref.at("energy_denormalized").get<double>();
    EXPECT_NEAR(raw.outputs.at("energy").item<double>(), denormalised, kOc20RelativeTolerance * std::abs(denormalised));
    const at::Tensor aux = tensor_from_json(ref.at("aux_pos"));
    ASSERT_GT(aux.abs().max().item<double>(), 1e-6);
    EXPECT_LT(oc20_scaled_error(raw.outputs.at("aux_pos"), aux), kOc20RelativeTolerance);
    const at::Tensor forces = tensor_from_json(ref.at("minus_dE_dpos"));
    ASSERT_GT(forces.abs().max().item<double>(), 1e-6);
    EXPECT_LT(oc20_scaled_error(raw.forces, forces), kOc20RelativeTolerance);
    // Predicted relaxed positions: moved by the denormalised vector, except the fixed tag-0 atoms.
    const at::Tensor movable = structures_[k].tags.gt(0).unsqueeze(1).to(at::kDouble);
    const at::Tensor relaxed = structures_[k].structure.positions +
                               tensor_from_json(ref.at("aux_pos_denormalized")) * movable;
    EXPECT_LT((raw.outputs.at("relaxed_positions") - relaxed).abs().max().item<double>(), 1e-10);
  }
}

TEST_P(Oc20Reference, EnergyAuxiliaryVectorAndForcesBatched) {
  std::vector<const Oc20ReferenceStructure*> all;
  std::vector<at::Tensor> forces;
  for (std::size_t k = 0; k < structures_.size(); ++k) {
    all.push_back(&structures_[k]);
    forces.push_back(tensor_from_json(outputs_.at("per_structure")[k].at("minus_dE_dpos")));
  }
  const data::Graph graph = oc20_graph(all, *model_);
  const auto raw = models::evaluate(*model_, graph, {true, false, false, "energy_raw"});
  const auto& batched = outputs_.at("batched_all");
  const at::Tensor energies = tensor_from_json(batched.at("energies")).view({-1});
  ASSERT_EQ(raw.energy.size(0), 6);
  EXPECT_LT((raw.energy - energies).abs().div(energies.abs()).max().item<double>(), kOc20RelativeTolerance);
  EXPECT_LT(oc20_scaled_error(raw.outputs.at("aux_pos"), tensor_from_json(batched.at("aux_pos")).view({-1, 3})),
            kOc20RelativeTolerance);
  // The energy of one structure does not depend on the others: per-structure forces hold.
  EXPECT_LT(oc20_scaled_error(raw.forces, at::cat(forces)), kOc20RelativeTolerance);
}

TEST_P(Oc20Reference, Float32AgreesWithFloat64) {
  const auto model32 = load_oc20_reference(dir_, at::kFloat);
  const std::vector<const Oc20ReferenceStructure*> some = {&structures_[0], &structures_[5]};
  const auto e64 = models::evaluate(*model_, oc20_graph(some, *model_), {true, false, false, "energy_raw"});
  const auto e32 = models::evaluate(*model32, oc20_graph(some, *model_, at::kFloat), {true, false, false, "energy_raw"});
  EXPECT_EQ(e32.energy.scalar_type(), at::kFloat);
  EXPECT_LT(oc20_scaled_error(e32.energy.to(at::kDouble), e64.energy), 1e-5);
  EXPECT_LT(oc20_scaled_error(e32.outputs.at("aux_pos").to(at::kDouble), e64.outputs.at("aux_pos")), 1e-4);
  EXPECT_LT(oc20_scaled_error(e32.forces.to(at::kDouble), e64.forces), 1e-4);
}

TEST_P(Oc20Reference, LoadsThroughModelDirectoriesAndRoundTripsEqtsFormat) {
  const auto loaded = models::read_model_directory(dir_);
  EXPECT_EQ(loaded.source, load_json(dir_ / "config.json").at("class").get<std::string>());
  EXPECT_EQ(loaded.model->kind(), "equiformer_oc20");
  const auto saved_dir = temp_dir(std::string("oc20_roundtrip_") + GetParam());
  models::save_model(*model_, saved_dir);
  const auto reloaded = models::load_model(saved_dir);
  const auto* oc20 = dynamic_cast<const Oc20EquiformerModel*>(reloaded.get());
  ASSERT_NE(oc20, nullptr);
  EXPECT_EQ(oc20->config().positions_std, model_->config().positions_std);
  const data::Graph graph = oc20_graph({&structures_[2]}, *model_);
  const auto a = models::evaluate(*model_, graph, {false});
  const auto b = models::evaluate(*reloaded, graph, {false});
  EXPECT_TRUE(at::equal(a.energy, b.energy));
  EXPECT_TRUE(at::equal(a.outputs.at("aux_pos"), b.outputs.at("aux_pos")));
  std::filesystem::remove_all(saved_dir);
}

TEST_P(Oc20Reference, RefusesStructuresWithoutTags) {
  data::Graph graph = oc20_graph({&structures_[0]}, *model_);
  graph.tags = at::Tensor();
  EXPECT_THROW(model_->forward(graph), Error);
  graph.tags = at::full({graph.num_atoms()}, 3, at::kLong);
  EXPECT_THROW(model_->forward(graph), Error);
}

TEST_P(Oc20Reference, ChoosesTheOc20GraphRuleAndIsRefusedAsAnEcseBackbone) {
  const data::GraphRule rule = model_->graph_rule();
  EXPECT_EQ(rule.kind, data::GraphRule::Kind::Slab);
  EXPECT_EQ(rule.cutoff, 6.0);
  EXPECT_EQ(rule.max_neighbours, 50);
  EXPECT_THROW(models::ecse::EcseModel(model_, nullptr, models::ecse::EcseOptions{}), Error);
}

INSTANTIATE_TEST_SUITE_P(Configs, Oc20Reference, ::testing::ValuesIn(kOc20Configs));

}  // namespace
}  // namespace eqt::testing
