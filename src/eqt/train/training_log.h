#pragma once
// A training run's metrics.csv (one row per epoch: epoch,step,time_s,lr,train_loss,val_loss,
// val_<target>_mae, ...) read back as numeric series against the epoch, for learning curves.
// Empty or non-numeric cells (a metric not computed that epoch) are left out of their series.
#include <filesystem>
#include <string>
#include <vector>

namespace eqt::train {

struct LogSeries {
  std::string name;
  std::vector<double> epoch, value;  // the rows where `name` has a finite number
};

struct TrainingLog {
  std::vector<LogSeries> series;  // every column except epoch with at least one number, in file order
  int64_t rows = 0;
};

// Fails (eqt::Error naming the file and line) when there is no header with an "epoch" column, a
// row has more cells than the header, or a row's epoch is not a number.
TrainingLog read_training_log(const std::filesystem::path& csv);

// Whether a learning-curve panel reads better with a logarithmic y axis: losses and errors
// (names containing loss, mae, rmse) whose values are all positive.
bool prefers_log_scale(const LogSeries& series);

}  // namespace eqt::train
