#include <gtest/gtest.h>
#include <torch/optim/adamw.h>

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/models/equiformer/equiformer_model.h"
#include "eqt/models/potential.h"
#include "eqt/train/checkpoint.h"
#include "eqt/train/weights.h"
#include "support/reference.h"
#include "tiny_equiformer.h"

namespace eqt::train {
namespace {

namespace fs = std::filesystem;
using models::equiformer::EquiformerModel;


void step(models::Model& model, torch::optim::Optimizer& opt) {
  const std::vector<double> xyz{0.0, 0, 0, 1.1, 0, 0, 0, 1.2, 0.3};
  const auto s = data::make_structure({1, 6, 8}, at::tensor(xyz, at::kDouble).reshape({3, 3}));
  const std::vector<const data::Structure*> batch{&s};
  const auto graph = data::collate(batch, 3.0, at::kDouble);
  models::EvaluateOptions o;
  o.create_graph = true;
  const auto ev = models::evaluate(model, graph, o);
  const at::Tensor loss = ev.energy.pow(2).sum() + ev.forces.pow(2).sum();
  opt.zero_grad();
  loss.backward();
  opt.step();
}

TEST(TrainCheckpoint, RoundTripRestoresWeightsOptimiserAndState) {
  const fs::path dir = eqt::testing::temp_dir("train_checkpoint") / "last";
  EquiformerModel a(eqt::testing::tiny_equiformer_config(), at::kDouble), ema_a(eqt::testing::tiny_equiformer_config(), at::kDouble);
  torch::optim::AdamW opt_a(a.parameters(), torch::optim::AdamWOptions(1e-2));
  for (int i = 0; i < 2; ++i) step(a, opt_a);
  ema_update(ema_a, a, 0.5);
  TrainingState state;
  state.epoch = 3;
  state.batch_in_epoch = 2;
  state.step = 17;
  state.best_metric = 0.25;
  state.have_best = true;
  state.skipped_in_a_row = 4;
  state.schedule = {{"factor", 0.5}};
  write_checkpoint(dir, a, ema_a, opt_a, state);
  write_checkpoint(dir, a, ema_a, opt_a, state);  // replaces the old one
  // Atomic writes leave exactly the checkpoint, no temporary files.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename(), kCheckpointFile);
    ++files;
  }
  EXPECT_EQ(files, 1);

  EquiformerModel b(eqt::testing::tiny_equiformer_config(), at::kDouble), ema_b(eqt::testing::tiny_equiformer_config(), at::kDouble);
  torch::optim::AdamW opt_b(b.parameters(), torch::optim::AdamWOptions(1e-2));
  const TrainingState back = read_checkpoint(dir, b, ema_b, opt_b);
  EXPECT_EQ(back.epoch, 3);
  EXPECT_EQ(back.batch_in_epoch, 2);
  EXPECT_EQ(back.step, 17);
  EXPECT_DOUBLE_EQ(back.best_metric, 0.25);
  EXPECT_EQ(back.skipped_in_a_row, 4);
  EXPECT_EQ(back.schedule, state.schedule);
  // A state written before the skip count was kept reads as no skipped steps.
  nlohmann::json older = to_json(state);
  older.erase("skipped_in_a_row");
  EXPECT_EQ(training_state_from_json(older).skipped_in_a_row, 0);
  const auto pe = ema_a.named_parameters();
  for (const auto& item : ema_b.named_parameters()) EXPECT_TRUE(at::equal(item.value(), pe[item.key()]));
  // Same weights and same Adam moments: the next step is identical.
  step(a, opt_a);
  step(b, opt_b);
  const auto pa = a.named_parameters();
  for (const auto& item : b.named_parameters()) EXPECT_TRUE(at::equal(item.value(), pa[item.key()])) << item.key();
}

TEST(TrainCheckpoint, TruncatedOrMissingCheckpointIsAClearError) {
  const fs::path dir = eqt::testing::temp_dir("train_checkpoint_bad");
  EXPECT_THROW((void)read_checkpoint_state(dir / "none"), Error);
  EquiformerModel a(eqt::testing::tiny_equiformer_config(), at::kDouble);
  torch::optim::AdamW opt(a.parameters(), torch::optim::AdamWOptions(1e-2));
  write_checkpoint(dir / "last", a, a, opt, {});
  const fs::path file = dir / "last" / kCheckpointFile;
  fs::resize_file(file, fs::file_size(file) / 2);
  try {
    (void)read_checkpoint_state(dir / "last");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqt::train
