// OC20's IS2RS target in training (targets.relaxed_positions): labels (relaxed - initial on the
// tag > 0 atoms), the fitted positions_std, and the loss, which sees the free atoms only.
#include <gtest/gtest.h>

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/structure.h"
#include "eqt/models/equiformer_oc20/oc20_model.h"
#include "eqt/train/batch_loss.h"
#include "eqt/train/dataset.h"
#include "eqt/train/normalisation.h"

namespace eqt::train {
namespace {

using models::equiformer_oc20::Oc20Config;
using models::equiformer_oc20::Oc20EquiformerModel;

// A Cu slab fragment with an O adsorbate: tags 0 (fixed), 1, 1, 2; relaxed positions moved by
// `shifts` [4, 3].
data::Structure slab(const at::Tensor& shifts) {
  const at::Tensor positions =
      at::tensor({1.0, 1.0, 8.0, 3.5, 1.2, 10.0, 1.4, 3.6, 10.1, 2.4, 2.3, 11.8}, at::kDouble).reshape({4, 3});
  data::Structure s = data::make_structure({29, 29, 29, 8}, positions, at::diag(at::tensor({5.0, 5.0, 20.0}, at::kDouble)),
                                           {true, true, true});
  s.arrays["tags"] = at::tensor({0, 1, 1, 2}, at::kLong);
  s.arrays["pos_relaxed"] = positions + shifts;
  return s;
}

TrainConfig is2rs_config() {
  TrainConfig c;
  c.energy.weight = 0.0;
  c.forces.weight = 0.0;
  c.relaxed_positions.key = "pos_relaxed";
  c.relaxed_positions.weight = 15.0;
  c.relaxed_positions.final_weight = 1.0;
  c.relaxed_positions.loss = LossKind::L1;
  return c;
}

std::shared_ptr<Oc20EquiformerModel> tiny_oc20_model() {
  Oc20Config c = models::equiformer_oc20::official_oc20_defaults(models::equiformer::AttentionType::Graph);
  c.network.irreps_node_embedding = "4x0e+2x1e";
  c.network.num_layers = 1;
  c.network.number_of_basis = 4;
  c.network.fc_neurons = {4};
  c.network.irreps_feature = "4x0e+2x1e";
  c.network.irreps_head = "2x0e+1x1e";
  c.network.num_heads = 2;
  c.network.irreps_pre_attn = "4x0e+2x1e";
  c.network.irreps_mlp_mid = "4x0e+2x1e";
  c.network.alpha_drop = 0.0;
  c.network.max_radius = 4.0;
  c.network.avg_num_nodes = 4.0;
  c.network.avg_degree = 3.0;
  c.use_auxiliary_task = true;
  c.positions_std = 0.5;
  at::manual_seed(3);
  return std::make_shared<Oc20EquiformerModel>(c, at::kDouble);
}

Split split_of(const data::Structure& s, const TrainConfig& config, const data::GraphRule& rule) {
  Split split;
  Sample sample;
  sample.structure = s;
  sample.labels = read_labels(s, config, "test frame");
  split.samples.push_back(sample);
  attach_neighbours(split, rule);
  return split;
}

TEST(RelaxationTargets, LabelsAreTheDisplacementAndTheTaggedAtoms) {
  const at::Tensor shifts = at::tensor({9.0, 9.0, 9.0, 0.1, 0.0, 0.0, 0.0, -0.2, 0.0, 0.0, 0.0, 0.3}, at::kDouble)
                                .reshape({4, 3});
  const Labels l = read_labels(slab(shifts), is2rs_config(), "frame 0");
  EXPECT_TRUE(at::allclose(l.displacement, shifts, 0, 1e-12));
  EXPECT_TRUE(at::equal(l.free_atoms, at::tensor({0, 1, 1, 1}, at::kLong).to(at::kBool)));
}

TEST(RelaxationTargets, MissingLabelsOrTagsNameTheFrameAndTheKey) {
  data::Structure s = slab(at::zeros({4, 3}, at::kDouble));
  s.arrays.erase("tags");
  try {
    read_labels(s, is2rs_config(), "train.xyz: frame 3");
    FAIL() << "no error without tags";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train.xyz: frame 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tags"), std::string::npos) << e.what();
  }
  s = slab(at::zeros({4, 3}, at::kDouble));
  s.arrays.erase("pos_relaxed");
  try {
    read_labels(s, is2rs_config(), "train.xyz: frame 4");
    FAIL() << "no error without pos_relaxed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'pos_relaxed' is absent"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("frame 4"), std::string::npos) << e.what();
  }
}

TEST(RelaxationTargets, PositionsStdIsTheMeanDisplacementLengthOfTheFreeAtoms) {
  // Free atoms moved by lengths 5 (3, 4, 0), 1 and 0, then 2; the fixed atom's 100 is left out:
  // (5 + 1 + 0 + 2) / 4 = 2.
  const TrainConfig config = is2rs_config();
  Split train;
  for (const auto& rows : {std::vector<double>{100, 0, 0, 3, 4, 0, 0, 0, 1, 0, 0, 0},
                           std::vector<double>{0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}}) {
    Sample s;
    s.structure = slab(at::tensor(rows, at::kDouble).reshape({4, 3}));
    s.labels = read_labels(s.structure, config, "frame");
    train.samples.push_back(s);
  }
  // The second structure has one free atom only: tags 0, 0, 0, 1.
  train.samples[1].structure.arrays["tags"] = at::tensor({0, 0, 0, 1}, at::kLong);
  train.samples[1].labels = read_labels(train.samples[1].structure, config, "frame");
  train.samples[1].labels.displacement.select(0, 3).fill_(0.0).select(0, 2).fill_(2.0);
  EXPECT_DOUBLE_EQ(fit_positions_std(train), (5.0 + 1.0 + 0.0 + 2.0) / 4.0);

  TrainConfig with_auto = config;
  with_auto.reference_energies = YAML::Load("none");
  with_auto.mean = YAML::Load("auto");
  with_auto.scale = YAML::Load("auto");
  with_auto.positions_std = YAML::Load("auto");
  EXPECT_DOUBLE_EQ(fit_normalisation(train, with_auto).positions_std, 2.0);
  with_auto.positions_std = YAML::Load("0.75");
  const Normalisation fixed = fit_normalisation(train, with_auto);
  EXPECT_DOUBLE_EQ(fixed.positions_std, 0.75);
  EXPECT_DOUBLE_EQ(normalisation_from_json(to_json(fixed)).positions_std, 0.75);
}

TEST(RelaxationTargets, LossSeesTheTaggedAtomsOnlyAndIsTheOfficialL1) {
  auto model = tiny_oc20_model();
  const TrainConfig config = is2rs_config();
  Normalisation norm;
  norm.positions_std = 0.5;
  const at::Tensor shifts = at::tensor({0.0, 0.0, 0.0, 0.1, 0.05, -0.1, -0.2, 0.1, 0.0, 0.3, -0.1, 0.2}, at::kDouble)
                                .reshape({4, 3});
  const auto loss_of = [&](const at::Tensor& s) {
    const Split split = split_of(slab(s), config, model->graph_rule());
    const BatchData batch = make_batch(split, {0}, config, norm, at::kDouble);
    return batch_loss(*model, batch, config, norm, false);
  };
  const BatchResult base = loss_of(shifts);

  // Independently: 15 x sum over free atoms and components |aux - d / std| / (3 free atoms).
  const Split split = split_of(slab(shifts), config, model->graph_rule());
  const data::Graph graph = data::collate({&split.samples[0].structure}, {split.samples[0].neighbours}, at::kDouble);
  const at::Tensor aux = model->forward(graph).at("aux_pos").detach();
  const at::Tensor free_error = (aux - shifts / 0.5).slice(0, 1);
  const double expected = 15.0 * free_error.abs().sum().item<double>() / 3.0;
  EXPECT_NEAR(base.loss.item<double>(), expected, 1e-12 * std::abs(expected));
  EXPECT_GT(expected, 0.0);
  EXPECT_EQ(base.counts.at("relaxed_positions"), 3);
  // Reported errors: A per component of the free atoms (aux * std - d).
  EXPECT_NEAR(base.errors.at("relaxed_positions").mae(), free_error.abs().mean().item<double>() * 0.5, 1e-12);

  // Moving the fixed atom's target changes nothing, to the last bit.
  at::Tensor fixed_moved = shifts.clone();
  fixed_moved.select(0, 0).copy_(at::tensor({0.7, -0.4, 0.9}, at::kDouble));
  EXPECT_EQ(loss_of(fixed_moved).loss.item<double>(), base.loss.item<double>());
  // Moving a surface atom's target does.
  at::Tensor free_moved = shifts.clone();
  free_moved.select(0, 1).copy_(at::tensor({0.7, -0.4, 0.9}, at::kDouble));
  EXPECT_GT(std::abs(loss_of(free_moved).loss.item<double>() - base.loss.item<double>()), 1e-3);
}

TEST(RelaxationTargets, AModelWithoutTheAuxiliaryHeadIsAClearError) {
  Oc20Config c = tiny_oc20_model()->config();
  c.use_auxiliary_task = false;
  Oc20EquiformerModel model(c, at::kDouble);
  const TrainConfig config = is2rs_config();
  Normalisation norm;
  const Split split = split_of(slab(at::zeros({4, 3}, at::kDouble)), config, model.graph_rule());
  const BatchData batch = make_batch(split, {0}, config, norm, at::kDouble);
  try {
    batch_loss(model, batch, config, norm, false);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no IS2RS auxiliary head"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqt::train
