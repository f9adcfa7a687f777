#pragma once
// Helpers of the `eqt eval` / `eqt export` tests: running the verbs, a small labelled data set,
// PNG checks and the independent numpy metrics (eval_metrics_numpy.py).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "predict_fixtures.h"

namespace eqt::testing {

inline CommandResult run_eqt(const std::string& verb_and_arguments) {
  return run_command(shell_quote(eqt_executable().string()) + " --threads 1 " + verb_and_arguments);
}

// The first `count` frames of a labelled data file, written to `target` (extxyz).
inline std::vector<data::Structure> first_frames(const std::filesystem::path& source, std::size_t count,
                                                 const std::filesystem::path& target) {
  data::ExtxyzReader reader(source);
  std::vector<data::Structure> frames;
  while (frames.size() < count) {
    auto s = reader.next();
    if (!s) break;
    frames.push_back(std::move(*s));
  }
  data::write_extxyz(target, frames);
  return frames;
}

// A PNG file: the 8-byte signature, an IHDR chunk, and more than a blank image's few hundred bytes.
inline void expect_valid_png(const std::filesystem::path& path) {
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  std::ifstream in(path, std::ios::binary);
  std::string head(16, '\0');
  in.read(head.data(), 16);
  EXPECT_EQ(head.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  EXPECT_EQ(head.substr(12, 4), "IHDR") << path;
  EXPECT_GT(std::filesystem::file_size(path), 5000u) << path;
}

// {target: {count, mae, rmse, max_abs}} computed by numpy from `eqt predict --prefix pred_` output.
inline nlohmann::json numpy_metrics(const std::filesystem::path& predicted, const std::string& mappings = "") {
  const auto script = source_dir() / "tests" / "cli" / "eval_metrics_numpy.py";
  const auto r = run_command(std::string(EQT_TEST_PYTHON) + " " + shell_quote(script.string()) + " " +
                             shell_quote(predicted.string()) + " " + mappings);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return nlohmann::json::parse(r.output.substr(r.output.find('{')));
}

inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline bool gnuplot_installed() { return std::filesystem::exists("/usr/bin/gnuplot"); }

}  // namespace eqt::testing
