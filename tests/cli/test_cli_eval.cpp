// `eqt eval` end to end: its metrics equal an independent numpy computation on `eqt predict`'s
// output (read back with ASE), its plots are real PNG files, a run directory gets learning curves,
// and problems (no labels, no gnuplot) are clean errors.
#include <gtest/gtest.h>

#include "eval_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

void expect_metrics_equal(const nlohmann::json& eqt, const nlohmann::json& numpy, const std::string& target) {
  SCOPED_TRACE(target);
  ASSERT_TRUE(eqt.contains(target)) << eqt.dump(2);
  ASSERT_TRUE(numpy.contains(target)) << numpy.dump(2);
  EXPECT_EQ(eqt[target]["count"].get<int64_t>(), numpy[target]["count"].get<int64_t>());
  for (const char* statistic : {"mae", "rmse", "max_abs"}) {
    const double expected = numpy[target][statistic].get<double>();
    EXPECT_NEAR(eqt[target][statistic].get<double>(), expected, 1e-9 * std::abs(expected) + 1e-14) << statistic;
  }
}

// Ethanol frames (energies and forces labelled) with an extra per-structure label that the
// Equiformer output energy_raw is compared with through --target.
TEST(CliEval, EquiformerMetricsMatchNumpyOnPredictOutput) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("eval_equiformer");
  auto frames = first_frames(shared / "data" / "rmd17" / "rmd17_ethanol_test.xyz", 5, dir / "in.xyz");
  for (std::size_t k = 0; k < frames.size(); ++k) frames[k].info["raw_label"] = at::scalar_tensor(0.1 * k - 0.2, at::kDouble);
  data::write_extxyz(dir / "in.xyz", frames);
  const auto model = quoted(reference_model(shared, "small_dp_exp"));
  const auto input = quoted(dir / "in.xyz");

  auto r = run_eqt("eval --model " + model + " --input " + input + " --output-dir " + quoted(dir / "out") +
                   " --batch-size 2 --target energy_raw=raw_label");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* text : {"energy", "forces", "energy_per_atom", "metrics.json", "parity_forces.png"}) {
    EXPECT_NE(r.output.find(text), std::string::npos) << text << "\n" << r.output;
  }
  r = run_eqt("predict --model " + model + " --input " + input + " --output " + quoted(dir / "pred.xyz") +
              " --prefix pred_");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto numpy = numpy_metrics(dir / "pred.xyz", "energy_raw=raw_label");
  const auto metrics = load_json(dir / "out" / "metrics.json");
  EXPECT_EQ(metrics["structures"].get<int64_t>(), 5);
  EXPECT_EQ(metrics["atoms"].get<int64_t>(), 45);
  for (const char* target : {"energy", "energy_per_atom", "forces", "energy_raw"}) {
    expect_metrics_equal(metrics["metrics"], numpy, target);
  }
  EXPECT_EQ(metrics["metrics"]["forces"]["unit"], "eV/A");

  // The CSV carries the same numbers.
  const std::string csv = read_text_file(dir / "out" / "metrics.csv");
  EXPECT_EQ(csv.rfind("target,unit,per,count,mae,rmse,max_abs\n", 0), 0u) << csv;
  EXPECT_NE(csv.find(fmt::format("forces,eV/A,component,135,{:.17g},", metrics["metrics"]["forces"]["mae"].get<double>())),
            std::string::npos)
      << csv;
  if (gnuplot_installed()) {
    for (const char* png : {"parity_energy.png", "parity_forces.png", "parity_energy_raw.png"}) {
      expect_valid_png(dir / "out" / png);
    }
  } else {
    // The metrics above are checked either way; only the plots need gnuplot (support/skip.h).
    EXPECT_FALSE(strict_test_mode()) << "gnuplot (gnuplot-nox) is not installed: parity plots not checked";
  }
  fs::remove_all(dir);
}

// Periodic water with stress labels: PET's predicted stress against them, per component.
TEST(CliEval, PetStressMetricsMatchNumpy) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("eval_pet_stress");
  auto frames = first_frames(shared / "data" / "water" / "water_rpbe_d3_n2p2.xyz", 2, dir / "in.xyz");
  for (std::size_t k = 0; k < frames.size(); ++k) {
    const auto a = at::arange(9, at::kDouble).reshape({3, 3}) * 1e-3 * (k + 1.0);
    frames[k].info["stress"] = a + a.t();  // symmetric, as physical stresses are
  }
  data::write_extxyz(dir / "in.xyz", frames);
  const auto model = quoted(shared / "reference" / "pet" / "pet_small");
  const auto input = quoted(dir / "in.xyz");
  auto r = run_eqt("eval --model " + model + " --input " + input + " --output-dir " + quoted(dir / "out") + " --no-plots");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_eqt("predict --model " + model + " --input " + input + " --output " + quoted(dir / "pred.xyz") +
              " --prefix pred_");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto numpy = numpy_metrics(dir / "pred.xyz");
  const auto metrics = load_json(dir / "out" / "metrics.json")["metrics"];
  for (const char* target : {"energy", "forces", "stress"}) expect_metrics_equal(metrics, numpy, target);
  EXPECT_EQ(metrics["stress"]["count"].get<int64_t>(), 18);
  EXPECT_FALSE(fs::exists(dir / "out" / "parity_energy.png"));  // --no-plots
  fs::remove_all(dir);
}

// A training run directory: RUN_DIR/model (made by eqt export) and a metrics.csv with gaps.
TEST(CliEval, RunDirectoryGetsLearningCurves) {
  EQT_REQUIRE_SHARED(shared);
  if (!gnuplot_installed()) EQT_SKIP_OR_FAIL() << "gnuplot (gnuplot-nox) is not installed";
  const auto run = temp_dir("eval_run_dir");
  auto r = run_eqt("export --model " + quoted(reference_model(shared, "small_dp_exp")) + " --output " +
                   quoted(run / "model"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string csv = "epoch,step,time_s,lr,train_loss,val_loss,val_energy_mae,val_forces_mae\n";
  for (int epoch = 1; epoch <= 20; ++epoch) {
    const double loss = 2.0 * std::exp(-0.2 * epoch);
    const std::string validation = epoch % 5 == 0 ? fmt::format("{},{},{}", 1.2 * loss, 0.1 * loss, 0.05 * loss) : ",,";
    csv += fmt::format("{},{},{},{},{},{}\n", epoch, 10 * epoch, 1.5 * epoch, 1e-3 / epoch, loss, validation);
  }
  std::ofstream(run / "metrics.csv") << csv;
  first_frames(shared / "data" / "rmd17" / "rmd17_ethanol_test.xyz", 2, run / "test.xyz");
  r = run_eqt("eval --model " + quoted(run) + " --input " + quoted(run / "test.xyz"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  expect_valid_png(run / "eval" / "learning_curves.png");
  expect_valid_png(run / "eval" / "parity_forces.png");
  EXPECT_TRUE(fs::exists(run / "eval" / "metrics.json"));
  EXPECT_NE(r.output.find((run / "eval" / "learning_curves.png").string()), std::string::npos) << r.output;
  fs::remove_all(run);
}

TEST(CliEval, MissingGnuplotIsAClearErrorAfterTheMetrics) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("eval_no_gnuplot");
  first_frames(shared / "data" / "rmd17" / "rmd17_ethanol_test.xyz", 1, dir / "in.xyz");
  const auto r = run_command("EQT_GNUPLOT=/nonexistent/gnuplot " + shell_quote(eqt_executable().string()) +
                             " --threads 1 eval --model " + quoted(reference_model(shared, "small_dp_exp")) +
                             " --input " + quoted(dir / "in.xyz") + " --output-dir " + quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot draw the plots"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("/nonexistent/gnuplot"), std::string::npos) << r.output;
  EXPECT_TRUE(fs::exists(dir / "out" / "metrics.json"));
  EXPECT_TRUE(fs::exists(dir / "out" / "metrics.csv"));
  fs::remove_all(dir);
}

TEST(CliEval, DataWithoutLabelsIsAClearError) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = temp_dir("eval_no_labels");
  std::ofstream(dir / "in.xyz") << "2\nProperties=species:S:1:pos:R:3\nH 0 0 0\nH 0 0 0.74\n";
  const auto r = run_eqt("eval --model " + quoted(reference_model(shared, "small_dp_exp")) + " --input " +
                         quoted(dir / "in.xyz") + " --output-dir " + quoted(dir / "out"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no labels to compare with"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
