// `eqt train` with the OC20 preset (examples/train/oc20_synthetic_equiformer.yaml: IS2RE + the
// IS2RS auxiliary task) for two steps on a few structures of ../shared/data/oc20_synthetic, then
// `eqt eval` on the run directory: the run fits positions_std on its training structures, logs
// the validation energy MAE, EwT and auxiliary position MAE with the scheduled weight, exports a
// model with its auxiliary head, and eval reports OC20's IS2RE / IS2RS figures. The ablation
// (relaxed_positions weight 0) trains a model without the head.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

double oc20_column(const std::vector<std::vector<std::string>>& rows, std::size_t row, const std::string& name) {
  const auto& h = rows.at(0);
  const auto it = std::find(h.begin(), h.end(), name);
  if (it == h.end()) throw std::runtime_error("metrics.csv has no column " + name);
  return std::stod(rows.at(row).at(static_cast<std::size_t>(it - h.begin())));
}

bool oc20_has_column(const std::vector<std::vector<std::string>>& rows, const std::string& name) {
  return std::find(rows.at(0).begin(), rows.at(0).end(), name) != rows.at(0).end();
}

std::string oc20_read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The preset on the first 8 training / 8 validation structures, 2 steps of 4 of a 2-epoch run.
std::string oc20_train_command(const fs::path& shared, const fs::path& run, const std::string& extra = "") {
  const fs::path data = shared / "data" / "oc20_synthetic";
  return eqt_command() + "train " + quoted(source_dir() / "examples" / "train" / "oc20_synthetic_equiformer.yaml") +
         " --run-dir " + quoted(run) + " --set data.train=" + quoted(data / "is2re_train.xyz") +
         " --set data.val=" + quoted(data / "is2re_val.xyz") +
         " --set data.max_structures=8 --set data.batch_size=4 --set training.epochs=2 --set training.max_steps=2 " +
         extra;
}

TEST(CliTrainOc20, PresetTrainsIs2reWithTheAuxiliaryTaskAndEvalOnTheRunReportsOc20Figures) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path dir = temp_dir("cli_train_oc20");
  const fs::path run = dir / "run";
  const auto r = run_command(oc20_train_command(shared, run));
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // positions_std: the mean |pos_relaxed - pos| over the tag > 0 atoms of the 8 training structures.
  const auto train = data::read_extxyz(shared / "data" / "oc20_synthetic" / "is2re_train.xyz");
  double length_sum = 0;
  int64_t free_atoms = 0;
  for (std::size_t k = 0; k < 8; ++k) {
    const at::Tensor free = train[k].arrays.at("tags").gt(0);
    const at::Tensor d = (train[k].arrays.at("pos_relaxed") - train[k].positions).index({free});
    length_sum += d.norm(2, {1}).sum().item<double>();
    free_atoms += d.size(0);
  }
  const double positions_std = length_sum / static_cast<double>(free_atoms);
  EXPECT_NEAR(load_json(run / "normalisation.json").at("positions_std").get<double>(), positions_std,
              1e-12 * positions_std);
  const auto architecture = load_json(run / "model" / "model.json").at("architecture");
  EXPECT_TRUE(architecture.at("use_auxiliary_task").get<bool>());
  EXPECT_NEAR(architecture.at("positions_std").get<double>(), positions_std, 1e-12 * positions_std);
  EXPECT_TRUE(architecture.at("smooth_cutoff").get<bool>());

  // One validation row with the IS2RE MAE, EwT and the auxiliary position MAE.
  const auto rows = read_csv(run / "metrics.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_GT(oc20_column(rows, 1, "val_energy_relaxed_mae"), 0.0);
  const double ewt = oc20_column(rows, 1, "val_energy_relaxed_ewt");
  EXPECT_TRUE(ewt >= 0.0 && ewt <= 1.0) << ewt;
  EXPECT_GT(oc20_column(rows, 1, "val_relaxed_positions_mae"), 0.0);
  // 2 steps per epoch x 2 epochs: the second step's weight is 15 - 14 x 2/4 = 8.
  EXPECT_NE(oc20_read_text(run / "train.log").find("aux_weight 8 "), std::string::npos) << oc20_read_text(run / "train.log");

  // eval on the run directory: its energy key (energy_relaxed) and relaxed-position key by default.
  const auto val = data::read_extxyz(shared / "data" / "oc20_synthetic" / "is2re_val.xyz");
  data::write_extxyz(dir / "val3.xyz", std::vector<data::Structure>(val.begin(), val.begin() + 3));
  const auto e = run_command(eqt_command() + "eval --model " + quoted(run) + " --input " + quoted(dir / "val3.xyz") +
                             " --no-forces --no-plots --output-dir " + quoted(dir / "eval"));
  ASSERT_EQ(e.exit_code, 0) << e.output;
  EXPECT_NE(e.output.find("IS2RE: energy MAE"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("ADwT"), std::string::npos) << e.output;
  const auto metrics = load_json(dir / "eval" / "metrics.json");
  EXPECT_EQ(metrics.at("metrics").at("energy").at("count").get<int64_t>(), 3);
  const auto summary = metrics.at("relaxation");
  EXPECT_GT(summary.at("energy_mae").get<double>(), 0.0);
  EXPECT_GT(summary.at("mean_distance").get<double>(), 0.0);
  EXPECT_TRUE(summary.contains("adwt")) << summary.dump();
  fs::remove_all(dir);
}

TEST(CliTrainOc20, AblationWithoutTheAuxiliaryTaskHasNoHeadAndNoPositionColumn) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path dir = temp_dir("cli_train_oc20_ablation");
  const fs::path run = dir / "run";
  const auto r = run_command(oc20_train_command(shared, run, "--set targets.relaxed_positions.weight=0"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(load_json(run / "model" / "model.json").at("architecture").at("use_auxiliary_task").get<bool>());
  const auto rows = read_csv(run / "metrics.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(oc20_has_column(rows, "val_relaxed_positions_mae"));
  EXPECT_GT(oc20_column(rows, 1, "val_energy_relaxed_mae"), 0.0);
  EXPECT_EQ(oc20_read_text(run / "train.log").find("aux_weight"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
