#pragma once
// Progress of a long loop (predict, training epochs, MD steps) on stderr: on a terminal a bar
// redrawn in place with the rate and the time left; otherwise (logs, pipes, batch jobs) one plain
// line every `line_every` items, so log files stay readable. Always a summary line at the end.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace eqt::cli {

// "0:07", "12:34", "1:02:03"; "?" for negative or non-finite values.
std::string format_duration(double seconds);

// The pieces below are pure, so tests need no clock or terminal.
// "label [#########           ]  45/100  12.3 structures/s  ETA 0:04"
std::string format_progress_bar(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                double elapsed_seconds, int bar_width = 30);
// "label: 45/100 structures (45%), 12.3 structures/s, ETA 0:04"
std::string format_progress_line(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                 double elapsed_seconds);
// "label: 100 structures in 8.1 s (12.3 structures/s)"
std::string format_progress_summary(const std::string& label, const std::string& unit, int64_t done,
                                    double elapsed_seconds);

struct ProgressOptions {
  std::string unit = "structures";
  int64_t line_every = 100;  // non-terminal: a line each time this many more are done
  int terminal = -1;         // 1 / 0 to force; -1: isatty(stream)
  bool quiet = false;        // print nothing at all
};

class Progress {
 public:
  // total <= 0: unknown (no percentage or ETA).
  Progress(std::string label, int64_t total, ProgressOptions options = {}, std::FILE* stream = stderr);
  ~Progress();  // ends a bar still on screen with a newline
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t count = 1);
  // Extra text shown after the rate / ETA (e.g. "loss 0.0123"), from the next redraw or line on.
  void set_detail(std::string detail) { detail_ = std::move(detail); }
  // Prints the summary line (once).
  void finish();
  int64_t done() const { return done_; }

 private:
  double elapsed() const;
  void draw_bar(bool force);

  std::string label_;
  int64_t total_;
  ProgressOptions options_;
  std::FILE* stream_;
  bool terminal_;
  int64_t done_ = 0;
  std::string detail_;
  bool bar_on_screen_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double last_draw_ = -1.0;
};

}  // namespace eqt::cli
