#include "eqt/train/plots.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "eqt/train/gnuplot.h"
#include "eqt/train/metrics_report.h"

namespace eqt::train {

namespace {

namespace fs = std::filesystem;

std::string columns_text(const std::vector<double>& x, const std::vector<double>& y) {
  std::string text;
  text.reserve(x.size() * 48);
  for (std::size_t i = 0; i < x.size(); ++i) text += fmt::format("{:.17g} {:.17g}\n", x[i], y[i]);
  return text;
}

std::string with_unit(const std::string& what, const std::string& unit) {
  return unit.empty() ? what : fmt::format("{} ({})", what, unit);
}

// A square range holding every point with a margin, so that y = x runs corner to corner.
std::pair<double, double> parity_range(const TargetErrors& t) {
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  for (const auto* values : {&t.reference, &t.predicted}) {
    for (const double v : *values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  if (!(lo <= hi)) return {-1.0, 1.0};
  const double margin = hi > lo ? 0.05 * (hi - lo) : std::max(1.0, std::abs(lo) * 0.05);
  return {lo - margin, hi + margin};
}

std::string terminal_lines(const fs::path& temporary_png, int width, int height) {
  return fmt::format("set terminal pngcairo size {},{} noenhanced\nset output {}\n", width, height,
                     gnuplot_quote(temporary_png.string()));
}

// Column names become file names: keep them to safe characters.
std::string file_safe(const std::string& name) {
  std::string safe = name;
  for (char& c : safe) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') c = '_';
  }
  return safe;
}

fs::path temporary_for(const fs::path& png) {
  return png.parent_path() / fmt::format(".{}.tmp.png", png.filename().string());
}

}  // namespace

void write_parity_plot(const TargetErrors& t, const fs::path& png, const fs::path& work_dir) {
  fs::create_directories(work_dir);
  const std::string stem = png.stem().string();
  const fs::path data = work_dir / (stem + ".dat");
  write_text_file(data, "# reference predicted\n" + columns_text(t.reference, t.predicted));
  const auto [lo, hi] = parity_range(t);
  const fs::path temporary = temporary_for(png);
  std::string script = terminal_lines(temporary, 800, 760);
  script += fmt::format("set title {}\n", gnuplot_quote(fmt::format("{}: MAE {:.4g}, RMSE {:.4g} {} ({} {}s)",
                                                                    t.name, t.errors.mae(), t.errors.rmse(), t.unit,
                                                                    t.errors.count(), t.per)));
  script += fmt::format("set xlabel {}\nset ylabel {}\n", gnuplot_quote(with_unit("reference " + t.name, t.unit)),
                        gnuplot_quote(with_unit("predicted " + t.name, t.unit)));
  script += fmt::format("set size ratio -1\nset xrange [{0:.17g}:{1:.17g}]\nset yrange [{0:.17g}:{1:.17g}]\n", lo, hi);
  script += "set grid\nset key bottom right box opaque\n";
  script += fmt::format(
      "plot {} using 1:2 with points pt 7 ps 0.5 lc rgb '#1f77b4' title 'predictions', "
      "x with lines dt 2 lw 1.5 lc rgb '#333333' title 'y = x'\n",
      gnuplot_quote(data.string()));
  const fs::path script_path = work_dir / (stem + ".gp");
  write_text_file(script_path, script);
  run_gnuplot(script_path, temporary, png);
}

void write_learning_curves(const TrainingLog& log, const std::string& title, const fs::path& png,
                           const fs::path& work_dir) {
  if (log.series.empty()) fail("learning curves: the training log has no numeric columns besides epoch");
  fs::create_directories(work_dir);
  std::vector<const LogSeries*> losses, others;
  for (const auto& s : log.series) (s.name.find("loss") != std::string::npos ? losses : others).push_back(&s);
  std::vector<std::vector<const LogSeries*>> panels;
  if (!losses.empty()) panels.push_back(losses);
  for (const auto* s : others) panels.push_back({s});

  const int columns = panels.size() <= 1 ? 1 : (panels.size() <= 4 ? 2 : 3);
  const int rows = static_cast<int>((panels.size() + columns - 1) / columns);
  const fs::path temporary = temporary_for(png);
  std::string script = terminal_lines(temporary, 520 * columns, 380 * rows);
  script += fmt::format("set multiplot layout {},{} title {}\nset grid\nset xlabel 'epoch'\n", rows, columns,
                        gnuplot_quote(title));
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const bool log_scale = std::all_of(panels[p].begin(), panels[p].end(), [](auto* s) { return prefers_log_scale(*s); });
    script += log_scale ? "set logscale y\n" : "unset logscale y\n";
    script += fmt::format("set title {}\n", gnuplot_quote(panels[p].size() > 1 ? "losses" : panels[p][0]->name));
    std::string plot = "plot ";
    for (std::size_t k = 0; k < panels[p].size(); ++k) {
      const LogSeries& s = *panels[p][k];
      const fs::path data = work_dir / fmt::format("learning_curve_{}.dat", file_safe(s.name));
      write_text_file(data, "# epoch " + s.name + "\n" + columns_text(s.epoch, s.value));
      // A panel of one series has its name as title: no key needed.
      const std::string title = panels[p].size() > 1 ? "title " + gnuplot_quote(s.name) : std::string("notitle");
      plot += fmt::format("{}{} using 1:2 with linespoints pt 7 ps 0.5 lw 1.5 {}", k ? ", " : "",
                          gnuplot_quote(data.string()), title);
    }
    script += plot + "\n";
  }
  script += "unset multiplot\n";
  const fs::path script_path = work_dir / "learning_curves.gp";
  write_text_file(script_path, script);
  run_gnuplot(script_path, temporary, png);
}

}  // namespace eqt::train
