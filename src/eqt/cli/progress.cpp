#include "eqt/cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace eqt::cli {

namespace {

double rate(int64_t done, double elapsed) { return elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0; }

// Seconds left at the average rate so far; negative when it cannot be estimated yet.
double eta(int64_t done, int64_t total, double elapsed) {
  if (total <= 0 || done <= 0 || elapsed <= 0) return -1.0;
  return static_cast<double>(total - done) / rate(done, elapsed);
}

constexpr double kRedrawInterval = 0.1;  // seconds; redrawing faster only costs time

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<int64_t>(std::llround(seconds));
  const int64_t hours = total / 3600, minutes = (total / 60) % 60, secs = total % 60;
  if (hours > 0) return fmt::format("{}:{:02d}:{:02d}", hours, minutes, secs);
  return fmt::format("{}:{:02d}", minutes, secs);
}

std::string format_progress_bar(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                 double elapsed_seconds, int bar_width) {
  const double fraction = total > 0 ? std::clamp(static_cast<double>(done) / total, 0.0, 1.0) : 0.0;
  const int filled = static_cast<int>(std::floor(fraction * bar_width));
  const std::string bar = std::string(filled, '#') + std::string(bar_width - filled, ' ');
  const std::string count = total > 0 ? fmt::format("{}/{}", done, total) : fmt::format("{}", done);
  return fmt::format("{} [{}] {}  {:.1f} {}/s  ETA {}", label, bar, count, rate(done, elapsed_seconds), unit,
                     format_duration(eta(done, total, elapsed_seconds)));
}

std::string format_progress_line(const std::string& label, const std::string& unit, int64_t done, int64_t total,
                                 double elapsed_seconds) {
  const std::string count =
      total > 0 ? fmt::format("{}/{} {} ({:.0f}%)", done, total, unit, 100.0 * done / total) : fmt::format("{} {}", done, unit);
  return fmt::format("{}: {}, {:.1f} {}/s, ETA {}", label, count, rate(done, elapsed_seconds), unit,
                     format_duration(eta(done, total, elapsed_seconds)));
}

std::string format_progress_summary(const std::string& label, const std::string& unit, int64_t done,
                                    double elapsed_seconds) {
  return fmt::format("{}: {} {} in {:.1f} s ({:.1f} {}/s)", label, done, unit, elapsed_seconds,
                     rate(done, elapsed_seconds), unit);
}

Progress::Progress(std::string label, int64_t total, ProgressOptions options, std::FILE* stream)
    : label_(std::move(label)), total_(total), options_(std::move(options)), stream_(stream) {
  terminal_ = options_.terminal >= 0 ? options_.terminal == 1 : ::isatty(::fileno(stream_)) == 1;
  options_.line_every = std::max<int64_t>(options_.line_every, 1);
}

Progress::~Progress() {
  if (bar_on_screen_) std::fputc('\n', stream_);
}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::draw_bar(bool force) {
  const double now = elapsed();
  if (!force && last_draw_ >= 0 && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  // \r and clear-to-end-of-line: a shorter bar must not leave the tail of a longer one.
  fmt::print(stream_, "\r{}{}\x1b[K", format_progress_bar(label_, options_.unit, done_, total_, now),
             detail_.empty() ? "" : "  " + detail_);
  std::fflush(stream_);
  bar_on_screen_ = true;
}

void Progress::advance(int64_t count) {
  const int64_t before = done_;
  done_ += count;
  if (options_.quiet) return;
  if (terminal_) {
    draw_bar(false);
  } else if (done_ / options_.line_every > before / options_.line_every && done_ != total_) {
    // The last item gets the summary line instead.
    fmt::print(stream_, "{}{}\n", format_progress_line(label_, options_.unit, done_, total_, elapsed()),
               detail_.empty() ? "" : ", " + detail_);
    std::fflush(stream_);
  }
}

void Progress::finish() {
  if (finished_ || options_.quiet) return;
  finished_ = true;
  if (terminal_) {
    draw_bar(true);
    std::fputc('\n', stream_);
    bar_on_screen_ = false;
  }
  fmt::print(stream_, "{}\n", format_progress_summary(label_, options_.unit, done_, elapsed()));
  std::fflush(stream_);
}

}  // namespace eqt::cli
