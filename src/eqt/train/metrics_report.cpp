#include "eqt/train/metrics_report.h"

#include <fmt/format.h>

#include <cmath>

#include "eqt/data/output_file.h"

namespace eqt::train {

namespace {

nlohmann::json number_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

// 17 significant digits: the CSV holds the same numbers as the JSON.
std::string csv_number(double value) { return std::isfinite(value) ? fmt::format("{:.17g}", value) : ""; }

// "eV/A" -> "meV/A", so that typical errors read as 12.3 rather than 0.0123.
std::string milli_unit(const std::string& unit) { return unit.rfind("eV", 0) == 0 ? "m" + unit : ""; }

}  // namespace

nlohmann::json metrics_json(const EvaluationMetrics& metrics, const ReportContext& context) {
  nlohmann::json targets = nlohmann::json::object();
  for (const auto& t : metrics.targets()) {
    targets[t.name] = {{"unit", t.unit},
                       {"per", t.per},
                       {"count", t.errors.count()},
                       {"mae", number_or_null(t.errors.mae())},
                       {"rmse", number_or_null(t.errors.rmse())},
                       {"max_abs", number_or_null(t.errors.max_abs())}};
  }
  return {{"model", context.model},       {"input", context.input}, {"dtype", context.dtype},
          {"structures", metrics.structures()}, {"atoms", metrics.atoms()}, {"metrics", targets}};
}

std::string metrics_csv(const EvaluationMetrics& metrics) {
  std::string text = "target,unit,per,count,mae,rmse,max_abs\n";
  for (const auto& t : metrics.targets()) {
    text += fmt::format("{},{},{},{},{},{},{}\n", t.name, t.unit, t.per, t.errors.count(), csv_number(t.errors.mae()),
                        csv_number(t.errors.rmse()), csv_number(t.errors.max_abs()));
  }
  return text;
}

std::string metrics_table(const EvaluationMetrics& metrics) {
  std::string text = fmt::format("{:<20} {:>10} {:>14} {:>14} {:>14}  {}\n", "target", "count", "MAE", "RMSE", "max |err|",
                                 "unit");
  for (const auto& t : metrics.targets()) {
    const std::string milli = milli_unit(t.unit);
    const double factor = milli.empty() ? 1.0 : 1000.0;
    text += fmt::format("{:<20} {:>10} {:>14.6g} {:>14.6g} {:>14.6g}  {}\n", t.name, t.errors.count(),
                        factor * t.errors.mae(), factor * t.errors.rmse(), factor * t.errors.max_abs(),
                        milli.empty() ? (t.unit.empty() ? "(model units)" : t.unit) : milli);
  }
  return text;
}

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  data::AtomicOutputFile file(path, false);
  file.write(text);
  file.commit();
}

}  // namespace eqt::train
