#pragma once
// The figures of `eqt eval`, drawn by gnuplot (gnuplot.h): a parity plot per target and a
// training run's learning curves. Each figure's data file and gnuplot script are written to
// `work_dir` (kept, so figures can be restyled); the PNG appears atomically at `png`.
#include <filesystem>
#include <string>

#include "eqt/train/evaluation_metrics.h"
#include "eqt/train/training_log.h"

namespace eqt::train {

// Predicted against reference for every compared value, the line y = x, MAE / RMSE in the title.
void write_parity_plot(const TargetErrors& target, const std::filesystem::path& png,
                       const std::filesystem::path& work_dir);

// One panel per series against the epoch: all *loss columns together in the first panel, then
// every other column; losses and errors on a log scale (prefers_log_scale).
void write_learning_curves(const TrainingLog& log, const std::string& title, const std::filesystem::path& png,
                           const std::filesystem::path& work_dir);

}  // namespace eqt::train
