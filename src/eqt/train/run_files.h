#pragma once
// The files of a run directory that grow during training:
//   metrics.csv  one row per validation: epoch,step,time_s,lr,train_loss,val_loss, then
//                train_<target>_mae for each target, then val_<target>_mae, val_<target>_rmse
//                (eV, eV/A, eV/A^3), then any extra columns (val_<energy>_ewt); appended and
//                flushed row by row;
//   train.log    plain progress lines.
// On resume, rows after the checkpoint's step are dropped (they belong to work that is redone).
// Both are appended in place, not through io::AtomicFile; a failed append (disk full) is an
// eqt::Error naming the file, rather than rows silently missing. Rows already written stay.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace eqt::train {

struct MetricsRow {
  int64_t epoch = 0, step = 0;
  double time_s = 0.0, lr = 0.0, train_loss = 0.0, val_loss = 0.0;
  std::vector<double> train_mae;               // per target
  std::vector<double> val_mae, val_rmse;       // per target
  std::vector<double> extra;                   // per extra column
};

std::string metrics_header(const std::vector<std::string>& targets, const std::vector<std::string>& extra_columns = {});
std::string metrics_line(const MetricsRow& row);

class RunFiles {
 public:
  // fresh: start new files; otherwise keep the rows up to max_step (resume).
  RunFiles(const std::filesystem::path& run_dir, const std::vector<std::string>& targets, bool fresh,
           int64_t max_step, const std::vector<std::string>& extra_columns = {});
  void append(const MetricsRow& row);
  void log(const std::string& line);  // also echoed to stderr when echo is set
  bool echo = false;

 private:
  void check(std::ofstream& stream, const std::filesystem::path& path) const;  // fails after a failed write

  std::filesystem::path metrics_path_, log_path_;
  std::ofstream metrics_, log_;
};

}  // namespace eqt::train
