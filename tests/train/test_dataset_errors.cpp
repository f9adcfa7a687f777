#include <gtest/gtest.h>

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/train/config.h"
#include "eqt/train/dataset.h"
#include "support/reference.h"
#include "support/train_data.h"

namespace eqt::train {
namespace {

namespace fs = std::filesystem;
using eqt::testing::TrainDataOptions;

std::string load_error(const fs::path& dir, const std::string& extra, const std::vector<std::string>& overrides = {}) {
  const fs::path cfg = dir / "cfg.yaml";
  std::ofstream(cfg) << eqt::testing::tiny_train_config(dir / "train.xyz", dir / "val.xyz", extra);
  try {
    (void)load_datasets(load_config(cfg, overrides).config);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TrainDataset, ProblemsWithTheDataAreNamedBeforeTraining) {
  const fs::path dir = eqt::testing::temp_dir("train_dataset_errors");
  TrainDataOptions train;
  train.frames = 6;
  eqt::testing::write_pair_potential_dataset(dir / "train.xyz", train);
  TrainDataOptions val = train;
  val.seed = 1;
  eqt::testing::write_pair_potential_dataset(dir / "val.xyz", val);
  EXPECT_EQ(load_error(dir, ""), "");
  // Missing file.
  const std::string missing = load_error(dir, "", {"data.val=nothere.xyz"});
  EXPECT_NE(missing.find("nothere.xyz"), std::string::npos) << missing;
  // A target absent from the data: the key is named, with the file and frame.
  const std::string absent = load_error(dir, "", {"targets.energy.key=U0"});
  EXPECT_NE(absent.find("'U0'"), std::string::npos) << absent;
  EXPECT_NE(absent.find("train.xyz: frame 0"), std::string::npos) << absent;
  // Species in validation that training never saw.
  TrainDataOptions no_oxygen = train;
  no_oxygen.with_oxygen = false;
  eqt::testing::write_pair_potential_dataset(dir / "train.xyz", no_oxygen);
  const std::string unseen = load_error(dir, "");
  EXPECT_NE(unseen.find("species O does not occur in the training set"), std::string::npos) << unseen;
  EXPECT_NE(unseen.find("val.xyz"), std::string::npos) << unseen;
}

TEST(TrainDataset, OneFileIsSplitByFractions) {
  const fs::path dir = eqt::testing::temp_dir("train_dataset_split");
  TrainDataOptions o;
  o.frames = 20;
  eqt::testing::write_pair_potential_dataset(dir / "all.xyz", o);
  const fs::path cfg = dir / "cfg.yaml";
  std::ofstream(cfg) << "data: {train: all.xyz, val_fraction: 0.2, test_fraction: 0.1, split_seed: 3}\n";
  const Datasets d = load_datasets(load_config(cfg).config);
  EXPECT_EQ(d.val.samples.size(), 4u);
  EXPECT_EQ(d.train.samples.size(), 14u);
}

}  // namespace
}  // namespace eqt::train
