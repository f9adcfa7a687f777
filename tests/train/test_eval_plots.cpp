// Learning-curve input (metrics.csv) parsing, and the gnuplot-drawn figures being real PNG files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "eqt/core/error.h"
#include "eqt/train/gnuplot.h"
#include "eqt/train/plots.h"
#include "eqt/train/training_log.h"
#include "support/reference.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

bool is_png(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(8, '\0');
  in.read(head.data(), 8);
  return head == std::string("\x89PNG\r\n\x1a\n", 8) && fs::file_size(path) > 5000;
}

TEST(TrainingLog, SeriesSkipEmptyCellsAndTextColumns) {
  const auto dir = temp_dir("training_log");
  std::ofstream(dir / "metrics.csv") << "epoch,step,lr,train_loss,val_loss,note\n"
                                     << "1,10,0.001,2.5,,warmup\n"
                                     << "2,20,0.0005,1.5,1.75,\n"
                                     << "3,30,0.00025,0.5,,\n";
  const auto log = train::read_training_log(dir / "metrics.csv");
  EXPECT_EQ(log.rows, 3);
  ASSERT_EQ(log.series.size(), 4u);  // step, lr, train_loss, val_loss; not epoch, not note
  EXPECT_EQ(log.series[2].name, "train_loss");
  EXPECT_EQ(log.series[2].value, (std::vector<double>{2.5, 1.5, 0.5}));
  EXPECT_EQ(log.series[3].name, "val_loss");
  EXPECT_EQ(log.series[3].epoch, (std::vector<double>{2.0}));
  EXPECT_TRUE(train::prefers_log_scale(log.series[2]));
  EXPECT_FALSE(train::prefers_log_scale(log.series[0]));  // step
  fs::remove_all(dir);
}

TEST(TrainingLog, BadFilesNameTheLine) {
  const auto dir = temp_dir("training_log_bad");
  std::ofstream(dir / "no_epoch.csv") << "step,loss\n1,2\n";
  std::ofstream(dir / "ragged.csv") << "epoch,loss\n1,2\n2,3,4\n";
  std::ofstream(dir / "text_epoch.csv") << "epoch,loss\none,2\n";
  const auto message = [](const fs::path& path) {
    try {
      train::read_training_log(path);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message(dir / "no_epoch.csv").find("no_epoch.csv:1: no 'epoch' column"), std::string::npos);
  EXPECT_NE(message(dir / "ragged.csv").find("ragged.csv:3: 3 cells"), std::string::npos);
  EXPECT_NE(message(dir / "text_epoch.csv").find("text_epoch.csv:2: the epoch is not a number"), std::string::npos);
  EXPECT_NE(message(dir / "missing.csv").find("cannot open"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Plots, ParityPlotAndLearningCurvesArePngFiles) {
  if (!train::find_gnuplot()) EQT_SKIP_OR_FAIL() << "gnuplot (gnuplot-nox) is not installed";
  const auto dir = temp_dir("eval_plots");
  train::EvaluationMetrics m;
  m.add("forces", "eV/A", "component", at::randn({50}, at::kDouble), at::randn({50}, at::kDouble));
  train::write_parity_plot(m.targets()[0], dir / "parity_forces.png", dir / "data");
  EXPECT_TRUE(is_png(dir / "parity_forces.png"));
  EXPECT_TRUE(fs::exists(dir / "data" / "parity_forces.gp"));  // kept for restyling

  train::TrainingLog log;
  log.series.push_back({"train_loss", {1, 2, 3}, {1.0, 0.5, 0.2}});
  log.series.push_back({"val_loss", {2}, {0.6}});
  log.series.push_back({"lr", {1, 2, 3}, {1e-3, 5e-4, 1e-4}});
  train::write_learning_curves(log, "test run", dir / "learning_curves.png", dir / "data");
  EXPECT_TRUE(is_png(dir / "learning_curves.png"));
  // No temporary figure is left behind.
  for (const auto& entry : fs::directory_iterator(dir)) EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Plots, MissingGnuplotThrowsPlotToolMissing) {
  const auto dir = temp_dir("eval_plots_missing");
  ::setenv("EQT_GNUPLOT", "/nonexistent/gnuplot", 1);
  train::EvaluationMetrics m;
  m.add("energy", "eV", "structure", at::ones({1}, at::kDouble), at::zeros({1}, at::kDouble));
  EXPECT_THROW(train::write_parity_plot(m.targets()[0], dir / "p.png", dir / "data"), train::PlotToolMissing);
  ::unsetenv("EQT_GNUPLOT");
  EXPECT_FALSE(fs::exists(dir / "p.png"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace eqt::testing
