#include <gtest/gtest.h>

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/train/config.h"
#include "support/reference.h"

namespace eqt::train {
namespace {

namespace fs = std::filesystem;

const char* kMinimal = "data: {train: a.xyz, val: b.xyz}\n";

// The error message of parse_config, or "" when it succeeds.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    (void)parse_config(text, "cfg.yaml", "/base", overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TrainConfig, DefaultsFillEveryKeyAndPathsResolveAgainstTheConfigDirectory) {
  const auto loaded = parse_config(kMinimal, "cfg.yaml", "/base/dir");
  EXPECT_EQ(loaded.config.train_file, "/base/dir/a.xyz");
  EXPECT_EQ(loaded.config.val_file, "/base/dir/b.xyz");
  EXPECT_EQ(loaded.config.optimiser, "adamw");
  EXPECT_DOUBLE_EQ(loaded.config.lr, 5e-4);
  EXPECT_DOUBLE_EQ(loaded.config.forces.weight, 100.0);
  EXPECT_EQ(loaded.config.energy.key, "energy");
  EXPECT_EQ(loaded.resolved["optimiser"]["lr"].as<double>(), 5e-4);
  EXPECT_EQ(loaded.resolved["data"]["train"].as<std::string>(), "/base/dir/a.xyz");
  EXPECT_TRUE(loaded.resolved["training"]["max_minutes"].IsDefined());
}

TEST(TrainConfig, ResolvedDumpParsesBackToTheSameConfig) {
  const auto first = parse_config(std::string(kMinimal) + "optimiser: {lr: 0.002}\n", "cfg.yaml", "/base");
  const auto second = parse_config(dump_config(first.resolved), "config.yaml", "/elsewhere");
  EXPECT_EQ(dump_config(first.resolved), dump_config(second.resolved));
  EXPECT_DOUBLE_EQ(second.config.lr, 0.002);
  EXPECT_EQ(second.config.train_file, "/base/a.xyz");  // absolute paths stay
}

TEST(TrainConfig, UnknownKeysAreRejectedWithTheirDottedName) {
  EXPECT_NE(error_of(std::string(kMinimal) + "optimiser: {learning_rate: 1}\n").find("'optimiser.learning_rate'"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "trainng: {epochs: 1}\n").find("unknown key 'trainng'"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "targets: {energy: {wieght: 1}}\n").find("'targets.energy.wieght'"),
            std::string::npos);
}

TEST(TrainConfig, WrongTypesAreRejectedWithTheKey) {
  const std::string e1 = error_of(std::string(kMinimal) + "optimiser: {lr: fast}\n");
  EXPECT_NE(e1.find("'optimiser.lr' must be a number"), std::string::npos) << e1;
  const std::string e2 = error_of(std::string(kMinimal) + "training: {epochs: 1.5}\n");
  EXPECT_NE(e2.find("'training.epochs' must be an integer"), std::string::npos) << e2;
  const std::string e3 = error_of(std::string(kMinimal) + "targets: {energy: {per_atom: maybe}}\n");
  EXPECT_NE(e3.find("'targets.energy.per_atom' must be a boolean"), std::string::npos) << e3;
  const std::string e4 = error_of(std::string(kMinimal) + "optimiser: {betas: 0.9}\n");
  EXPECT_NE(e4.find("'optimiser.betas' must be a list"), std::string::npos) << e4;
}

TEST(TrainConfig, BadValuesNameTheKey) {
  EXPECT_NE(error_of(std::string(kMinimal) + "optimiser: {name: sgd}\n").find("'optimiser.name'"), std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "targets: {forces: {loss: cubic}}\n").find("targets.forces.loss"),
            std::string::npos);
  EXPECT_NE(error_of("data: {val: b.xyz}\n").find("'data.train'"), std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "targets: {energy: {weight: 0}, forces: {weight: 0}}\n").find("'targets'"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(kMinimal) + "model: {kind: mace}\n").find("'model.kind'"), std::string::npos);
}

TEST(TrainConfig, SetOverridesAnyKeyIncludingModelSections) {
  const auto loaded = parse_config(kMinimal, "cfg.yaml", "/base",
                                   {"optimiser.lr=0.01", "training.epochs=7", "model.equiformer.num_layers=2",
                                    "targets.energy.per_atom=true", "data.val=c.xyz"});
  EXPECT_DOUBLE_EQ(loaded.config.lr, 0.01);
  EXPECT_EQ(loaded.config.epochs, 7);
  EXPECT_EQ(loaded.config.model_section["num_layers"].as<int>(), 2);
  EXPECT_TRUE(loaded.config.energy.per_atom);
  EXPECT_EQ(loaded.config.val_file, "/base/c.xyz");
  EXPECT_NE(error_of(kMinimal, {"optimiser.lrr=1"}).find("unknown key 'optimiser.lrr'"), std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"training.epochs=many"}).find("'training.epochs'"), std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"noequals"}).find("dotted.key=value"), std::string::npos);
}

TEST(TrainConfig, RelaxedPositionsTargetAndItsScheduleAndNormalisation) {
  const auto loaded = parse_config(std::string(kMinimal) +
                                       "model: {kind: equiformer_oc20}\n"
                                       "targets: {energy: {key: energy_relaxed, ewt_threshold: 0.02}, forces: {weight: 0},\n"
                                       "          relaxed_positions: {weight: 15}}\n"
                                       "normalisation: {positions_std: 0.9}\n",
                                   "cfg.yaml", "/base");
  const TrainConfig& c = loaded.config;
  EXPECT_EQ(c.model_kind, "equiformer_oc20");
  EXPECT_TRUE(c.relaxed_positions.trained());
  EXPECT_EQ(c.relaxed_positions.key, "pos_relaxed");
  EXPECT_DOUBLE_EQ(c.relaxed_positions.weight, 15.0);
  EXPECT_DOUBLE_EQ(c.relaxed_positions.final_weight, 1.0);
  EXPECT_EQ(c.relaxed_positions.loss, LossKind::L1);
  EXPECT_DOUBLE_EQ(c.energy.ewt_threshold, 0.02);
  EXPECT_DOUBLE_EQ(c.positions_std.as<double>(), 0.9);
  // Off by default: no auxiliary task, no EwT column.
  const TrainConfig plain = parse_config(kMinimal, "cfg.yaml", "/base").config;
  EXPECT_FALSE(plain.relaxed_positions.trained());
  EXPECT_DOUBLE_EQ(plain.energy.ewt_threshold, 0.0);
  EXPECT_NE(error_of(kMinimal, {"targets.relaxed_positions.final_weight=-1"})
                .find("targets.relaxed_positions.final_weight"),
            std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"targets.energy.ewt_threshold=-0.1"}).find("targets.energy.ewt_threshold"),
            std::string::npos);
}

TEST(TrainConfig, LoadConfigNamesAMissingFile) {
  try {
    (void)load_config("/nonexistent/cfg.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/cfg.yaml"), std::string::npos);
  }
}

TEST(TrainConfig, EveryPresetParses) {
  const fs::path dir = eqt::testing::source_dir() / "examples" / "train";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    EXPECT_NO_THROW((void)load_config(entry.path())) << entry.path();
    ++count;
  }
  EXPECT_GE(count, 9);
}

}  // namespace
}  // namespace eqt::train
