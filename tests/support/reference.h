#pragma once
// Access to ../shared (reference outputs of the official code, public datasets) for tests.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "support/skip.h"

namespace eqt::testing {

// float64 options, and a float64 scalar tensor (the test files' shorthands).
inline const at::TensorOptions kF64 = at::TensorOptions().dtype(at::kDouble);
inline at::Tensor scalar(double value) { return at::scalar_tensor(value, at::kDouble); }

// ../shared next to the checkout, or $EQT_SHARED_DIR; nullopt when absent.
std::optional<std::filesystem::path> shared_dir();
nlohmann::json load_json(const std::filesystem::path& path);
// Nested JSON number lists -> float64 tensor (shape inferred).
at::Tensor tensor_from_json(const nlohmann::json& value);
// Largest |a-b| / (|b| + tiny) style comparison helpers.
double max_abs_diff(const at::Tensor& a, const at::Tensor& b);
double max_rel_diff(const at::Tensor& a, const at::Tensor& b);
// Path of the built eqt executable, and a fresh temporary directory for a test.
std::filesystem::path eqt_executable();
std::filesystem::path temp_dir(const std::string& name);
std::filesystem::path source_dir();
// A file's whole content as bytes; "" where it cannot be read (tests compare files byte for byte).
std::string file_bytes(const std::filesystem::path& path);

}  // namespace eqt::testing

// Skips the current test with a clear message where ../shared is missing; fails instead in
// strict test mode (CI set, see support/skip.h), where ../shared must be there.
#define EQT_REQUIRE_SHARED(var)                                                              \
  const auto var##_opt = ::eqt::testing::shared_dir();                                       \
  if (!var##_opt) {                                                                          \
    EQT_SKIP_OR_FAIL() << "../shared not found next to the checkout (set EQT_SHARED_DIR): "  \
                          "reference/dataset test skipped";                                  \
  }                                                                                          \
  const std::filesystem::path var = *var##_opt
