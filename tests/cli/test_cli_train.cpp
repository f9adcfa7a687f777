// End-to-end `eqt train`: a tiny run learns, a SIGKILLed run resumes to the very same weights as
// an uninterrupted one, and every preset starts and validates.
#include <gtest/gtest.h>

#include <regex>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "eqt/data/extxyz_reader.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/model_registry.h"
#include "eqt/train/checkpoint.h"
#include "eqt/train/config.h"
#include "eqt/train/model_factory.h"
#include "support/reference.h"
#include "support/run_command.h"
#include "support/train_data.h"
#include "train_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;



std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw std::runtime_error("no column " + name);
  return static_cast<std::size_t>(it - header.begin());
}

TEST(CliTrain, TinyRunLearnsAndWritesTheRunDirectory) {
  const fs::path dir = temp_dir("cli_train_tiny");
  const Data d = make_data(dir, 24, "");
  const fs::path run = dir / "run";
  const auto r = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                             shell_quote(run.string()) + " --set training.epochs=20 --set optimiser.lr=0.01");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"config.yaml", "normalisation.json", "metrics.csv", "train.log",
                        "checkpoints/last/checkpoint.pt", "checkpoints/best/checkpoint.pt", "model/model.json"}) {
    EXPECT_TRUE(fs::exists(run / f)) << f;
  }
  const auto rows = read_csv(run / "metrics.csv");
  ASSERT_EQ(rows.size(), 21u);  // header + one row per epoch
  const auto& h = rows[0];
  for (const char* c : {"epoch", "step", "time_s", "lr", "train_loss", "val_loss", "train_energy_mae",
                        "train_forces_mae", "val_energy_mae", "val_energy_rmse", "val_forces_mae", "val_forces_rmse"}) {
    EXPECT_NO_THROW(column(h, c)) << c;
  }
  const double first = std::stod(rows[1][column(h, "val_loss")]), last = std::stod(rows[20][column(h, "val_loss")]);
  EXPECT_LT(last, 0.5 * first) << "validation loss did not decrease enough";
  // The resolved config records every key; the exported model loads and knows its species.
  EXPECT_TRUE(train::load_config(run / "config.yaml").resolved["training"]["ema_decay"].IsDefined());
  const auto loaded = models::read_model_directory(run / "model");
  EXPECT_EQ(loaded.model->kind(), "equiformer");
  EXPECT_EQ(loaded.species, (std::vector<int64_t>{1, 6, 8}));
  // The exported best model (EMA weights, full normalisation, float64) reproduces the last validation
  // metrics that training computed with the training-form model plus its float64 baseline.
  const auto eval = run_command(eqt_command() + "eval --no-plots --model " + shell_quote((run / "model").string()) +
                                " --input " + shell_quote(d.val.string()) + " --output-dir " +
                                shell_quote((dir / "eval").string()));
  ASSERT_EQ(eval.exit_code, 0) << eval.output;
  std::size_t best = 1;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (std::stod(rows[i][column(h, "val_loss")]) < std::stod(rows[best][column(h, "val_loss")])) best = i;
  }
  const auto metrics = load_json(dir / "eval" / "metrics.json")["metrics"];
  EXPECT_NEAR(metrics["energy"]["mae"].get<double>(), std::stod(rows[best][column(h, "val_energy_mae")]), 1e-6);
  EXPECT_NEAR(metrics["forces"]["mae"].get<double>(), std::stod(rows[best][column(h, "val_forces_mae")]), 1e-6);
  // A second run into the same directory is refused.
  const auto again = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                                 shell_quote(run.string()));
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.output.find("--resume"), std::string::npos) << again.output;
}

TEST(CliTrain, BadConfigIsRejectedBeforeTrainingNamingTheKey) {
  const fs::path dir = temp_dir("cli_train_bad");
  const Data d = make_data(dir, 4, "");
  const auto r = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                             shell_quote((dir / "run").string()) + " --set optimiser.lr=high");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("'optimiser.lr'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "run" / "checkpoints"));
  // A run that failed on its data (missing validation file) can simply be started again.
  const auto missing = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                                   shell_quote((dir / "run").string()) + " --set data.val=missing.xyz");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("missing.xyz"), std::string::npos) << missing.output;
  const auto again = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                                 shell_quote((dir / "run").string()) + " --set training.max_steps=1");
  EXPECT_EQ(again.exit_code, 0) << again.output;
}

void expect_same_weights(const fs::path& a, const fs::path& b) {
  for (const char* part : {"model", "ema"}) {
    const auto wa = final_weights(a, part), wb = final_weights(b, part);
    ASSERT_EQ(wa.size(), wb.size());
    for (std::size_t i = 0; i < wa.size(); ++i) {
      EXPECT_TRUE(at::equal(wa[i].second, wb[i].second)) << part << " " << wa[i].first << " differs by "
                                                         << (wa[i].second - wb[i].second).abs().max().item<double>();
    }
  }
}


// One data file split three ways: the test part is written to RUN_DIR/test.xyz (never trained on),
// and `eqt eval --model RUN_DIR` evaluates on it when no --input is given.
TEST(CliTrain, TestFractionIsWrittenOutAndEvaluatedByDefault) {
  const fs::path dir = temp_dir("cli_train_test_split");
  const Data d = make_data(dir, 24, "");
  const fs::path run = dir / "run";
  auto r = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                       shell_quote(run.string()) +
                       " --set data.val=null --set data.val_fraction=0.25 --set data.test_fraction=0.25"
                       " --set training.epochs=1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("12 training / 6 validation"), std::string::npos) << r.output;
  const auto all = data::read_extxyz(d.train.string());
  const auto held_out = data::read_extxyz((run / "test.xyz").string());
  ASSERT_EQ(held_out.size(), 6u);
  std::set<std::size_t> matched;
  for (const auto& frame : held_out) {
    for (std::size_t k = 0; k < all.size(); ++k) {
      if (at::equal(frame.positions, all[k].positions)) matched.insert(k);
    }
  }
  EXPECT_EQ(matched.size(), 6u) << "test.xyz must hold 6 distinct frames of the training file";

  r = run_command(eqt_command() + "eval --no-plots --model " + shell_quote(run.string()));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find((run / "test.xyz").string()), std::string::npos) << r.output;
  EXPECT_EQ(load_json(run / "eval" / "metrics.json")["structures"].get<int64_t>(), 6);

  // A run with neither data.test nor a test fraction has nothing to evaluate by default.
  const fs::path no_test = dir / "run_no_test";
  ASSERT_EQ(run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                        shell_quote(no_test.string()) + " --set training.epochs=1")
                .exit_code,
            0);
  r = run_command(eqt_command() + "eval --no-plots --model " + shell_quote(no_test.string()));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no test set"), std::string::npos) << r.output;
}

TEST(CliTrain, SigkilledRunResumesToTheWeightsOfAnUninterruptedRun) {
  const fs::path dir = temp_dir("cli_train_resume");
  const int epochs = 9;
  const Data d = make_data(dir, 32, "");
  const std::string common = " --set training.epochs=" + std::to_string(epochs);
  const fs::path full = dir / "full", killed = dir / "killed", stopped = dir / "stopped";
  const auto r = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                             shell_quote(full.string()) + common);
  ASSERT_EQ(r.exit_code, 0) << r.output;

  // Start the same run, and SIGKILL it once a few validations (and checkpoints) are done.
  const std::string command = "exec " + eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                              shell_quote(killed.string()) + common + " --quiet > " +
                              shell_quote((dir / "killed.log").string()) + " 2>&1";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  bool exited = false;
  while (!exited) {
    if (data_rows(killed / "metrics.csv") >= 3) {
      kill(pid, SIGKILL);
      break;
    }
    exited = waitpid(pid, &status, WNOHANG) == pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!exited) waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed; make it longer";
  const auto before = train::read_checkpoint_state(killed / "checkpoints" / "last");
  EXPECT_LT(before.epoch, epochs);
  const auto resumed = run_command(eqt_command() + "train --resume " + shell_quote(killed.string()));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_same_weights(full, killed);
  EXPECT_EQ(data_rows(killed / "metrics.csv"), static_cast<std::size_t>(epochs));

  // A run stopped in the middle of an epoch (max_steps) resumes exactly too.
  const auto part = run_command(eqt_command() + "train " + shell_quote(d.config.string()) + " --run-dir " +
                                shell_quote(stopped.string()) + common + " --set training.max_steps=19");
  ASSERT_EQ(part.exit_code, 0) << part.output;
  EXPECT_EQ(train::read_checkpoint_state(stopped / "checkpoints" / "last").batch_in_epoch, 3);
  const auto rest = run_command(eqt_command() + "train --resume " + shell_quote(stopped.string()) +
                                " --set training.max_steps=0");
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  expect_same_weights(full, stopped);
}

}  // namespace
}  // namespace eqt::testing

namespace eqt::testing {
namespace {

// Presets name their data as ../shared next to the checkout; point them at the shared directory the
// tests found (it may come from $EQT_SHARED_DIR) with --set overrides.
std::string shared_data_overrides(const fs::path& preset, const fs::path& shared) {
  static const std::regex data_line(R"(^\s+(train|val|test): \.\./\.\./\.\./shared/(\S+))");
  std::ifstream in(preset);
  std::string line, overrides;
  std::smatch match;
  while (std::getline(in, line)) {
    if (std::regex_search(line, match, data_line)) {
      overrides += " --set data." + match[1].str() + "=" + shell_quote((shared / match[2].str()).string());
    }
  }
  return overrides;
}

// Every preset parses, builds its model, trains one step on two structures and validates.
// max_structures: enough that the training structures hold every species of the validation ones.
void check_preset(const std::string& name, int max_structures = 2) {
  EQT_REQUIRE_SHARED(shared);
  const fs::path preset = source_dir() / "examples" / "train" / name;
  const auto kind = train::load_config(preset).config.model_kind;
  if (!models::find_kind(kind)) EQT_SKIP_OR_FAIL() << "model kind '" << kind << "' has no model-directory format yet";
  const fs::path run = temp_dir("cli_train_preset_" + fs::path(name).stem().string());
  const auto r = run_command(eqt_command() + "train " + shell_quote(preset.string()) + " --run-dir " +
                             shell_quote((run / "run").string()) +
                             " --quiet --set training.max_steps=1 --set data.max_structures=" + std::to_string(max_structures) +
                             " --set data.batch_size=1 --set data.batch_atoms=0 --set training.max_minutes=0" +
                             shared_data_overrides(preset, shared));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(data_rows(run / "run" / "metrics.csv"), 1u);
  EXPECT_TRUE(fs::exists(run / "run" / "model" / "model.json"));
}

TEST(CliTrainPresets, Rmd17EthanolEquiformerFast) { check_preset("rmd17_ethanol_equiformer_fast.yaml"); }
TEST(CliTrainPresets, Rmd17EthanolEquiformerPaper) { check_preset("rmd17_ethanol_equiformer_paper.yaml"); }
TEST(CliTrainPresets, Rmd17EthanolPet) { check_preset("rmd17_ethanol_pet.yaml"); }
TEST(CliTrainPresets, Qm9Equiformer) { check_preset("qm9_equiformer.yaml", 40); }
TEST(CliTrainPresets, MethanePet) { check_preset("methane_pet.yaml"); }
TEST(CliTrainPresets, MethanePetEcse) { check_preset("methane_pet_ecse.yaml"); }
TEST(CliTrainPresets, WaterPet) { check_preset("water_pet.yaml"); }
TEST(CliTrainPresets, Oc20SyntheticEquiformer) { check_preset("oc20_synthetic_equiformer.yaml", 8); }

}  // namespace
}  // namespace eqt::testing
