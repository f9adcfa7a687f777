#include "eqt/train/run_files.h"

#include <fmt/format.h>

#include <cstdio>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/data/output_file.h"

namespace eqt::train {

namespace fs = std::filesystem;

namespace {

// Keeps the header and the complete rows whose step is <= max_step (rewritten atomically).
void truncate_metrics(const fs::path& path, int64_t max_step) {
  std::ifstream in(path);
  if (!in) return;
  std::string line, kept;
  bool header = true;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: a row cut off by a kill
    if (header) {
      kept += line + "\n";
      header = false;
      continue;
    }
    std::istringstream fields(line);
    std::string epoch, step;
    std::getline(fields, epoch, ',');
    std::getline(fields, step, ',');
    if (!step.empty() && std::stoll(step) <= max_step) kept += line + "\n";
  }
  in.close();
  data::AtomicOutputFile out(path, false);
  out.write(kept);
  out.commit();
}

}  // namespace

std::string metrics_header(const std::vector<std::string>& targets, const std::vector<std::string>& extra_columns) {
  std::string h = "epoch,step,time_s,lr,train_loss,val_loss";
  for (const auto& t : targets) h += ",train_" + t + "_mae";
  for (const auto& t : targets) h += ",val_" + t + "_mae,val_" + t + "_rmse";
  for (const auto& c : extra_columns) h += "," + c;
  return h;
}

std::string metrics_line(const MetricsRow& r) {
  std::string line = fmt::format("{},{},{:.3f},{:.8g},{:.8g},{:.8g}", r.epoch, r.step, r.time_s, r.lr,
                                 r.train_loss, r.val_loss);
  for (double v : r.train_mae) line += fmt::format(",{:.8g}", v);
  for (std::size_t i = 0; i < r.val_mae.size(); ++i) line += fmt::format(",{:.8g},{:.8g}", r.val_mae[i], r.val_rmse[i]);
  for (double v : r.extra) line += fmt::format(",{:.8g}", v);
  return line;
}

RunFiles::RunFiles(const fs::path& run_dir, const std::vector<std::string>& targets, bool fresh, int64_t max_step,
                   const std::vector<std::string>& extra_columns) {
  const fs::path metrics = run_dir / "metrics.csv";
  if (fresh || !fs::exists(metrics)) {
    data::AtomicOutputFile out(metrics, false);
    out.write(metrics_header(targets, extra_columns) + "\n");
    out.commit();
  } else {
    truncate_metrics(metrics, max_step);
  }
  metrics_path_ = metrics;
  log_path_ = run_dir / "train.log";
  metrics_.open(metrics, std::ios::app);
  log_.open(log_path_, fresh ? std::ios::trunc : std::ios::app);
  if (!metrics_ || !log_) fail("{}: cannot write metrics.csv / train.log", run_dir.string());
}

void RunFiles::check(std::ofstream& stream, const fs::path& path) const {
  if (stream) return;
  fail("{}: cannot append to it (disk full, quota or file size limit?); the lines before are kept", path.string());
}

void RunFiles::append(const MetricsRow& row) {
  metrics_ << metrics_line(row) << "\n";
  metrics_.flush();
  check(metrics_, metrics_path_);
}

void RunFiles::log(const std::string& line) {
  log_ << line << "\n";
  log_.flush();
  check(log_, log_path_);
  if (echo) fmt::print(stderr, "{}\n", line);
}

}  // namespace eqt::train
