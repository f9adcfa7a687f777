// PET hyper-parameters: parsing and rejection, every architectural variant builds and runs
// (batched = one by one, finite forces), the default preset.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "eqt/core/error.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/pet/pet_model.h"
#include "eqt/models/pet/token_layout.h"
#include "models/pet_test_support.h"

namespace eqt::testing {
namespace {

using models::pet::PetHypers;
using models::pet::PetModel;
using models::pet::parse_pet_hypers;
using Json = nlohmann::json;

Json small_hypers() {
  return {{"N_GNN_LAYERS", 2}, {"TRANSFORMER_D_MODEL", 16}, {"TRANSFORMER_N_HEAD", 2},
          {"TRANSFORMER_DIM_FEEDFORWARD", 24}, {"HEAD_N_NEURONS", 8}, {"N_TRANS_LAYERS", 2},
          {"R_CUT", 3.0}, {"CUTOFF_DELTA", 0.3}};
}

std::vector<data::Structure> molecules() {
  const at::Tensor water = at::tensor({0.0, 0.0, 0.1, 0.76, 0.0, -0.47, -0.76, 0.05, -0.45}, at::kDouble).view({3, 3});
  const at::Tensor methanol = at::tensor({-0.05, 0.66, 0.0, -0.05, -0.76, 0.0, -1.08, 0.99, 0.02, 0.44, 1.07, 0.89,
                                          0.45, 1.09, -0.87, 0.87, -1.08, 0.03}, at::kDouble).view({6, 3});
  return {data::make_structure({8, 1, 1}, water), data::make_structure({6, 8, 1, 1, 1, 1}, methanol),
          data::make_structure({1}, at::zeros({1, 3}, at::kDouble))};
}

TEST(PetHypers, EmptyMappingGivesTheOfficialDefaultsAndThePresetRepeatsThem) {
  const PetHypers defaults = parse_pet_hypers(Json::object());
  const auto preset = models::pet::load_pet_preset(source_dir() / "examples" / "presets" / "pet_default.yaml");
  EXPECT_EQ(preset.all_species, (std::vector<int64_t>{1, 6, 7, 8}));
  const PetHypers& h = preset.hypers;
  EXPECT_EQ(h.n_gnn_layers, 3);
  EXPECT_EQ(h.d_model, 128);
  EXPECT_DOUBLE_EQ(h.r_cut, 5.0);
  EXPECT_EQ(h.transformer_type, models::pet::TransformerType::post_ln);
  for (const auto& [a, b] : std::vector<std::pair<double, double>>{
           {h.r_cut, defaults.r_cut}, {h.cutoff_delta, defaults.cutoff_delta}, {h.residual_factor, defaults.residual_factor},
           {double(h.n_trans_layers), double(defaults.n_trans_layers)}, {double(h.n_head), double(defaults.n_head)},
           {double(h.dim_feedforward), double(defaults.dim_feedforward)}, {double(h.head_n_neurons), double(defaults.head_n_neurons)},
           {double(h.use_length), double(defaults.use_length)}, {double(h.use_bond_energies), double(defaults.use_bond_energies)}}) {
    EXPECT_EQ(a, b);
  }
  PetModel model(h, preset.all_species, at::kFloat);
  const auto structures = molecules();
  const auto out = model.forward(graph_of({&structures[0]}, model.cutoff(), at::kFloat));
  EXPECT_TRUE(at::isfinite(out.at("energy")).all().item<bool>());
}

TEST(PetHypers, RejectsUnknownKeysAndUnsupportedValues) {
  const std::vector<Json> bad = {
      {{"NOT_A_KEY", 1}},           {{"ACTIVATION", "gelu"}},        {{"TRANSFORMER_TYPE", "Post"}},
      {{"COMPRESS_MODE", "conv"}},  {{"USE_LONG_RANGE", true}},      {{"USE_ADDITIONAL_SCALAR_ATTRIBUTES", true}},
      {{"N_TARGETS", 2}},           {{"D_OUTPUT", 3}},               {{"TARGET_AGGREGATION", "mean"}},
      {{"TRANSFORMER_D_MODEL", 10}, {"TRANSFORMER_N_HEAD", 4}},      {{"N_GNN_LAYERS", 0}},
      {{"R_CUT", -1.0}},            {{"CUTOFF_DELTA", 6.0}},         {{"USE_LENGTH", "yes"}}};
  for (const auto& hypers : bad) EXPECT_THROW(parse_pet_hypers(hypers), Error) << hypers.dump();
}

TEST(PetHypers, YamlScalarsAreTypedAsPythonYamlDoes) {
  const Json parsed = models::pet::yaml_to_json(YAML::Load("{a: True, b: None, c: 3, d: 0.5, e: PreLN, f: 1e-3}"));
  EXPECT_EQ(parsed.at("a"), true);
  EXPECT_TRUE(parsed.at("b").is_null());
  EXPECT_EQ(parsed.at("c"), 3);
  EXPECT_DOUBLE_EQ(parsed.at("d").get<double>(), 0.5);
  EXPECT_EQ(parsed.at("e"), "PreLN");
  EXPECT_DOUBLE_EQ(parsed.at("f").get<double>(), 1e-3);
}

void expect_variant_runs(const Json& overrides, const std::string& expected_parameter) {
  SCOPED_TRACE(overrides.dump());
  Json hypers = small_hypers();
  hypers.update(overrides);
  at::manual_seed(7);
  PetModel model(parse_pet_hypers(hypers), {1, 6, 8}, at::kDouble);
  if (!expected_parameter.empty()) {
    bool found = false;
    for (const auto& item : model.named_parameters()) found |= item.key() == expected_parameter;
    EXPECT_TRUE(found) << expected_parameter;
  }
  const auto structures = molecules();
  const std::vector<const data::Structure*> all = {&structures[0], &structures[1], &structures[2]};
  const auto batched = pet_forces_for_tests(model, graph_of(all, model.cutoff()));
  EXPECT_TRUE(at::isfinite(batched.forces).all().item<bool>());
  // The isolated H atom is finite unless averaging by its zero total cutoff weight (as officially).
  const bool averages = model.hypers().average_bond_energies ||
                        (model.hypers().average_pooling && !model.hypers().add_token_second);
  EXPECT_EQ(at::isfinite(batched.energy).all().item<bool>(), !averages);
  int64_t offset = 0;
  for (int k = 0; k < 2; ++k) {  // batching does not mix structures
    const auto single = pet_forces_for_tests(model, graph_of({all[k]}, model.cutoff()));
    EXPECT_NEAR(single.energy[0].item<double>(), batched.energy[k].item<double>(), 1e-12);
    EXPECT_LT(max_abs_diff(single.forces, batched.forces.narrow(0, offset, all[k]->num_atoms())), 1e-12);
    offset += all[k]->num_atoms();
  }
}

TEST(PetHypers, EveryArchitecturalVariantBuildsAndRuns) {
  expect_variant_runs({{"TRANSFORMER_TYPE", "PreLN"}}, "gnn_layers.1.trans.final_norm.weight");
  expect_variant_runs({{"ACTIVATION", "mish"}}, "");
  expect_variant_runs({{"COMPRESS_MODE", "linear"}}, "gnn_layers.0.compress.weight");
  expect_variant_runs({{"USE_LENGTH", false}}, "gnn_layers.0.r_embedding.weight");
  expect_variant_runs({{"USE_ONLY_LENGTH", true}}, "gnn_layers.0.r_embedding.weight");
  expect_variant_runs({{"R_EMBEDDING_ACTIVATION", true}}, "gnn_layers.0.r_embedding.0.weight");
  expect_variant_runs({{"BLEND_NEIGHBOR_SPECIES", true}}, "gnn_layers.1.neighbor_embedder.weight");
  expect_variant_runs({{"ADD_TOKEN_FIRST", false}}, "gnn_layers.1.central_embedder.weight");
  expect_variant_runs({{"ADD_TOKEN_SECOND", false}, {"AVERAGE_POOLING", true}}, "gnn_layers.0.central_embedder.weight");
  expect_variant_runs({{"ADD_TOKEN_FIRST", false}, {"ADD_TOKEN_SECOND", false}}, "heads.1.model.nn.4.bias");
  expect_variant_runs({{"USE_BOND_ENERGIES", false}}, "heads.0.model.nn.0.weight");
  expect_variant_runs({{"AVERAGE_BOND_ENERGIES", true}}, "bond_heads.0.model.nn.0.weight");
  expect_variant_runs({{"RESIDUAL_FACTOR", 1.0}, {"N_GNN_LAYERS", 3}}, "gnn_layers.2.trans.layers.1.mlp.3.weight");
  expect_variant_runs({{"TRANSFORMERS_CENTRAL_SPECIFIC", true}}, "gnn_layers.1.models.2.trans.layers.0.mlp.0.weight");
  expect_variant_runs({{"HEADS_CENTRAL_SPECIFIC", true}}, "bond_heads.1.models.2.model.nn.4.weight");
}

TEST(PetHypers, VariantsWithoutSomeModulesDoNotRegisterThem) {
  PetModel plain(parse_pet_hypers(small_hypers()), {1, 8}, at::kDouble);
  Json no_bonds = small_hypers();
  no_bonds["USE_BOND_ENERGIES"] = false;
  PetModel without(parse_pet_hypers(no_bonds), {1, 8}, at::kDouble);
  int plain_bond = 0, without_bond = 0;
  for (const auto& item : plain.named_parameters()) plain_bond += item.key().rfind("bond_heads.", 0) == 0;
  for (const auto& item : without.named_parameters()) without_bond += item.key().rfind("bond_heads.", 0) == 0;
  EXPECT_EQ(plain_bond, 2 * 6);
  EXPECT_EQ(without_bond, 0);
}

TEST(PetModelErrors, UnknownSpeciesAndOneWayEdgesAreRejected) {
  PetModel model(parse_pet_hypers(small_hypers()), {1, 8}, at::kDouble);
  const auto structures = molecules();
  EXPECT_THROW(model.forward(graph_of({&structures[1]}, model.cutoff())), Error);  // carbon
  const at::Tensor one_way = at::tensor({0, 1}, at::kLong).view({2, 1});
  EXPECT_THROW(models::pet::build_token_layout(one_way, at::zeros({1, 3}, at::kDouble), 2), Error);
  const at::Tensor twice = at::tensor({0, 0, 1, 1, 1, 0}, at::kLong).view({2, 3});
  EXPECT_THROW(models::pet::build_token_layout(twice, at::zeros({3, 3}, at::kDouble), 2), Error);
  EXPECT_THROW(model.forward(graph_of({&structures[0]}, model.cutoff(), at::kFloat)), Error);  // dtype
}

TEST(PetTokenLayout, ReverseSlotsPointBackAndPeriodicImagesAreDistinct) {
  // Two atoms in a small periodic box: each sees the other through several images.
  const at::Tensor positions = at::tensor({0.1, 0.2, 0.3, 1.1, 0.9, 1.4}, at::kDouble).view({2, 3});
  const auto box = data::make_structure({1, 8}, positions, 2.5 * at::eye(3, at::kDouble), {true, true, true});
  const data::Graph graph = graph_of({&box}, 3.0);
  const auto layout = models::pet::build_token_layout(graph.edge_index, graph.cell_shifts, 2);
  const at::Tensor centres = graph.edge_index[0], neighbours = graph.edge_index[1];
  const at::Tensor k = at::full({1}, layout.max_neighbours, at::kLong);
  for (int64_t e = 0; e < graph.num_edges(); ++e) {
    const int64_t token = layout.token_of_edge[e].item<int64_t>();
    const int64_t back = layout.reverse_token[token].item<int64_t>();
    EXPECT_EQ(layout.reverse_token[back].item<int64_t>(), token);  // an involution
    EXPECT_EQ(back / layout.max_neighbours, neighbours[e].item<int64_t>());
    // The reverse token's edge has the opposite shift.
    const int64_t reverse_edge = (layout.token_of_edge == back).nonzero()[0][0].item<int64_t>();
    EXPECT_TRUE(at::equal(graph.cell_shifts[reverse_edge], -graph.cell_shifts[e]));
    EXPECT_EQ(neighbours[reverse_edge].item<int64_t>(), centres[e].item<int64_t>());
  }
  EXPECT_EQ(layout.padding.logical_not().sum().item<int64_t>(), graph.num_edges());
}

}  // namespace
}  // namespace eqt::testing
