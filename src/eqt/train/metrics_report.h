#pragma once
// The forms in which `eqt eval` reports EvaluationMetrics: a JSON document (for scripts), a CSV
// table with one row per target, and a text table for the terminal.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "eqt/train/evaluation_metrics.h"

namespace eqt::train {

struct ReportContext {
  std::string model;  // model directory
  std::string input;  // evaluated file
  std::string dtype;
};

// {"model", "input", "dtype", "structures", "atoms",
//  "metrics": {"energy": {"unit", "per", "count", "mae", "rmse", "max_abs"}, ...}}
// (NaN, for targets without values, is written as null.)
nlohmann::json metrics_json(const EvaluationMetrics& metrics, const ReportContext& context);

// "target,unit,per,count,mae,rmse,max_abs" then one row per target.
std::string metrics_csv(const EvaluationMetrics& metrics);

// Aligned columns for people; errors also in milli-units (meV, meV/A) where the unit is eV-based.
std::string metrics_table(const EvaluationMetrics& metrics);

// Atomic writes (temporary file, fsync, rename).
void write_text_file(const std::filesystem::path& path, const std::string& text);

}  // namespace eqt::train
