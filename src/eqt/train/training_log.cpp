#include "eqt/train/training_log.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>

#include "eqt/core/error.h"

namespace eqt::train {

namespace {

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (const char c : line) {
    if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(cell);
  return cells;
}

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used != text.size() || !std::isfinite(value)) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

}  // namespace

TrainingLog read_training_log(const std::filesystem::path& csv) {
  std::ifstream in(csv);
  if (!in) fail("cannot open training log {}", csv.string());
  std::string line;
  if (!std::getline(in, line)) fail("{}: empty file (expected a header line starting with epoch)", csv.string());
  const std::vector<std::string> header = split_cells(line);
  const auto epoch_at = std::find(header.begin(), header.end(), "epoch");
  if (epoch_at == header.end()) fail("{}:1: no 'epoch' column in the header", csv.string());
  const auto epoch_column = static_cast<std::size_t>(epoch_at - header.begin());

  std::vector<LogSeries> all(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) all[c].name = header[c];
  TrainingLog log;
  for (int64_t line_number = 2; std::getline(in, line); ++line_number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> cells = split_cells(line);
    if (cells.size() > header.size()) {
      fail("{}:{}: {} cells but the header has {} columns", csv.string(), line_number, cells.size(), header.size());
    }
    const auto epoch = epoch_column < cells.size() ? number(cells[epoch_column]) : std::nullopt;
    if (!epoch) fail("{}:{}: the epoch is not a number", csv.string(), line_number);
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const auto value = number(cells[c]);
      if (c == epoch_column || !value) continue;
      all[c].epoch.push_back(*epoch);
      all[c].value.push_back(*value);
    }
    ++log.rows;
  }
  for (auto& s : all) {
    if (!s.value.empty()) log.series.push_back(std::move(s));
  }
  return log;
}

bool prefers_log_scale(const LogSeries& series) {
  const bool error_like = contains(series.name, "loss") || contains(series.name, "mae") || contains(series.name, "rmse");
  return error_like && !series.value.empty() &&
         std::all_of(series.value.begin(), series.value.end(), [](double v) { return v > 0; });
}

}  // namespace eqt::train
