// A NaN or Inf in a step's gradient: the step is skipped (weights, EMA and optimiser untouched)
// with a warning naming the batch's structures; training.max_skipped_steps in a row stop the run
// with an error naming them, and the last checkpoint stays loadable with finite weights.
// The non-finite values are put into the gradients by the trainer's test hook (on_gradients),
// so the step and the value are chosen exactly; the labels cannot carry them (the reader refuses
// non-finite labels).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/models/model.h"
#include "eqt/train/checkpoint.h"
#include "eqt/train/model_factory.h"
#include "eqt/train/trainer.h"
#include "support/reference.h"
#include "support/train_data.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// 16 training structures in batches of 4: 4 steps per epoch.
fs::path write_config(const fs::path& dir, const std::string& extra) {
  TrainDataOptions o;
  write_pair_potential_dataset(dir / "train.xyz", o);
  o.frames = 8;
  o.seed = 1;
  write_pair_potential_dataset(dir / "val.xyz", o);
  std::ofstream(dir / "cfg.yaml") << tiny_train_config(dir / "train.xyz", dir / "val.xyz", extra);
  return dir / "cfg.yaml";
}

// A new run in dir/run on write_config's data, quiet, with these overrides.
train::TrainOptions new_run(const fs::path& dir, std::vector<std::string> overrides) {
  train::TrainOptions options;
  options.config_path = write_config(dir, "");
  options.overrides = std::move(overrides);
  options.run_dir = dir / "run";
  options.echo_log = false;
  return options;
}

// The message of the eqt::Error the run stops with; empty when it does not stop with one.
std::string error_of(const train::TrainOptions& options) {
  try {
    train::run_training(options);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

std::vector<at::Tensor> snapshot(models::Model& model) {
  std::vector<at::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
  return out;
}

bool same(const std::vector<at::Tensor>& a, const std::vector<at::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!at::equal(a[i], b[i])) return false;
  }
  return true;
}

void poison_first_gradient(models::Model& model, double value) {
  for (auto& p : model.parameters()) {
    if (p.grad().defined()) {
      p.mutable_grad().view({-1})[0] = value;
      return;
    }
  }
  FAIL() << "no parameter has a gradient";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_with(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) out.push_back(line);
  }
  return out;
}

// The structures named in a message: "FILE: frame K" entries.
std::set<std::string> named_structures(const std::string& message) {
  static const std::regex entry(R"(train\.xyz: frame \d+)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(message.begin(), message.end(), entry); it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

TEST(NonFiniteSteps, ANanGradientSkipsTheStepAndNamesTheBatch) {
  const fs::path dir = temp_dir("train_nonfinite_skip");
  train::TrainOptions options = new_run(dir, {"training.epochs=2"});
  // Calls of the hook, in order: (step, weights before that step's update).
  std::vector<std::pair<int64_t, std::vector<at::Tensor>>> calls;
  options.on_gradients = [&](int64_t step, models::Model& model) {
    calls.emplace_back(step, snapshot(model));
    if (calls.size() == 6) poison_first_gradient(model, std::numeric_limits<double>::quiet_NaN());
  };
  const train::TrainSummary summary = train::run_training(options);

  // 8 batches, the 6th skipped: 7 optimiser steps; the step counter stays at 5 for the 7th batch.
  ASSERT_EQ(calls.size(), 8u);
  EXPECT_EQ(summary.steps, 7);
  EXPECT_EQ(calls[5].first, 5);
  EXPECT_EQ(calls[6].first, 5);
  EXPECT_TRUE(same(calls[5].second, calls[6].second)) << "the skipped step changed the weights";
  EXPECT_FALSE(same(calls[4].second, calls[5].second)) << "a normal step left the weights unchanged";
  EXPECT_FALSE(same(calls[6].second, calls[7].second)) << "the step after the skipped one did nothing";

  const std::string log = read_text(options.run_dir / "train.log");
  const auto warnings = lines_with(log, "skipped");
  ASSERT_EQ(warnings.size(), 1u) << log;
  EXPECT_NE(warnings[0].find("warning: step 5 skipped: non-finite gradient"), std::string::npos) << warnings[0];
  EXPECT_EQ(named_structures(warnings[0]).size(), 4u) << warnings[0];

  const auto state = train::read_checkpoint_state(options.run_dir / "checkpoints" / "last");
  EXPECT_EQ(state.step, 7);
  EXPECT_EQ(state.epoch, 2);
}

TEST(NonFiniteSteps, MaxSkippedStepsInARowStopTheRunAndKeepTheLastCheckpoint) {
  const fs::path dir = temp_dir("train_nonfinite_stop");
  train::TrainOptions options = new_run(dir, {"training.epochs=3", "training.max_skipped_steps=3"});
  std::vector<at::Tensor> before_first_bad;
  int bad = 0;
  options.on_gradients = [&](int64_t step, models::Model& model) {
    if (step < 4) return;  // epoch 0 (steps 0-3) trains and writes its checkpoints
    if (bad++ == 0) before_first_bad = snapshot(model);
    poison_first_gradient(model, std::numeric_limits<double>::infinity());
  };
  const std::string message = error_of(options);
  ASSERT_FALSE(message.empty()) << "the run did not stop";
  EXPECT_EQ(bad, 3);
  EXPECT_NE(message.find("3 steps in a row had a non-finite loss or gradient"), std::string::npos) << message;
  EXPECT_NE(message.find("training.max_skipped_steps"), std::string::npos) << message;
  EXPECT_EQ(named_structures(message).size(), 4u) << message;

  // The last checkpoint is epoch 0's: it loads, and its weights are the (finite) ones the run had
  // before the bad steps.
  const fs::path last = options.run_dir / "checkpoints" / "last";
  const auto state = train::read_checkpoint_state(last);
  EXPECT_EQ(state.step, 4);
  EXPECT_EQ(state.epoch, 1);
  const auto recipe = train::ModelRecipe{state.extra.at("kind").get<std::string>(), state.extra.at("architecture")};
  auto skeleton = train::build_model(recipe, {{"mean", 0.0}, {"std", 1.0}, {"reference_energies", {}}}, at::kDouble);
  const auto weights = train::checkpoint_weights(last, *skeleton, "model");
  ASSERT_EQ(weights.size(), before_first_bad.size());
  for (std::size_t i = 0; i < weights.size(); ++i) {
    EXPECT_TRUE(at::isfinite(weights[i].second).all().item<bool>()) << weights[i].first;
    EXPECT_TRUE(at::equal(weights[i].second, before_first_bad[i])) << weights[i].first;
  }
}

// The count of skipped steps in a row is part of the checkpoint: 2 bad steps end epoch 0 (the run
// stops there, as after a kill at that checkpoint), 1 more starts the resumed epoch 1, and with
// max_skipped_steps 3 the resumed run stops just as an uninterrupted one would.
TEST(NonFiniteSteps, TheSkipCountInARowSurvivesAResume) {
  const fs::path dir = temp_dir("train_nonfinite_resume");
  train::TrainOptions first = new_run(dir, {"training.epochs=1", "training.max_skipped_steps=3"});
  int calls = 0;
  first.on_gradients = [&](int64_t, models::Model& model) {
    if (++calls >= 3) poison_first_gradient(model, std::numeric_limits<double>::quiet_NaN());  // batches 3 and 4
  };
  const train::TrainSummary summary = train::run_training(first);
  EXPECT_EQ(summary.steps, 2);
  EXPECT_EQ(train::read_checkpoint_state(first.run_dir / "checkpoints" / "last").skipped_in_a_row, 2);

  train::TrainOptions resumed;
  resumed.run_dir = first.run_dir;
  resumed.resume = true;
  resumed.overrides = {"training.epochs=2"};
  resumed.echo_log = false;
  int resumed_calls = 0;
  resumed.on_gradients = [&](int64_t, models::Model& model) {
    // Only the resumed run's first batch: a count restarted at 0 would let the run finish.
    if (++resumed_calls == 1) poison_first_gradient(model, std::numeric_limits<double>::quiet_NaN());
  };
  const std::string message = error_of(resumed);
  EXPECT_EQ(resumed_calls, 1);
  EXPECT_NE(message.find("3 steps in a row had a non-finite loss or gradient"), std::string::npos) << message;
}

}  // namespace
}  // namespace eqt::testing
