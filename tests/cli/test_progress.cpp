// The progress reporter: formatting, and when lines are printed on a non-terminal stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "eqt/cli/progress.h"

namespace eqt::cli {
namespace {

std::string read_all(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, file)) text += buffer;
  return text;
}

int count_lines(const std::string& text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')); }

TEST(Progress, FormatsDurations) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7.4), "0:07");
  EXPECT_EQ(format_duration(754), "12:34");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(-1), "?");
}

TEST(Progress, BarShowsCountRateAndEta) {
  // 45 of 100 in 9 s: 5 per second, 55 left -> 11 s.
  const auto bar = format_progress_bar("predict", "structures", 45, 100, 9.0, 20);
  EXPECT_EQ(bar, "predict [#########           ] 45/100  5.0 structures/s  ETA 0:11");
  const auto line = format_progress_line("predict", "structures", 45, 100, 9.0);
  EXPECT_EQ(line, "predict: 45/100 structures (45%), 5.0 structures/s, ETA 0:11");
  EXPECT_EQ(format_progress_summary("predict", "structures", 10, 4.0), "predict: 10 structures in 4.0 s (2.5 structures/s)");
  // Unknown total: no percentage, no ETA.
  EXPECT_EQ(format_progress_line("md", "steps", 3, 0, 1.0), "md: 3 steps, 3.0 steps/s, ETA ?");
}

TEST(Progress, NonTerminalPrintsALineEveryNAndASummary) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    ProgressOptions options;
    options.line_every = 10;
    options.terminal = 0;
    Progress progress("predict", 35, options, file);
    for (int i = 0; i < 7; ++i) progress.advance(5);  // crosses 10, 20, 30
    progress.finish();
    progress.finish();  // once only
    EXPECT_EQ(progress.done(), 35);
  }
  const std::string text = read_all(file);
  std::fclose(file);
  EXPECT_EQ(count_lines(text), 4) << text;
  EXPECT_NE(text.find("predict: 10/35 structures"), std::string::npos) << text;
  EXPECT_NE(text.find("predict: 35 structures in"), std::string::npos) << text;
  EXPECT_EQ(text.find('\r'), std::string::npos) << "no bar redraws in a log file";
}

TEST(Progress, TerminalRedrawsInPlace) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    ProgressOptions options;
    options.terminal = 1;
    Progress progress("train", 3, options, file);
    progress.advance(3);
    progress.finish();
  }
  const std::string text = read_all(file);
  std::fclose(file);
  EXPECT_NE(text.find("\rtrain ["), std::string::npos) << text;
  EXPECT_NE(text.find("3/3"), std::string::npos) << text;
  EXPECT_EQ(count_lines(text), 2) << text;  // the finished bar, then the summary
}

TEST(Progress, QuietPrintsNothing) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  {
    ProgressOptions options;
    options.quiet = true;
    Progress progress("x", 2, options, file);
    progress.advance(2);
    progress.finish();
  }
  EXPECT_EQ(read_all(file), "");
  std::fclose(file);
}

}  // namespace
}  // namespace eqt::cli
