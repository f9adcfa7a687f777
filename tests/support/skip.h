#pragma once
// Strict test mode. A test that cannot run because a tool or a file is missing (ASE, gnuplot,
// python3-torch, eqt-lammps, ../shared, ...) says so through EQT_SKIP_OR_FAIL():
//   if (!found) EQT_SKIP_OR_FAIL() << "gnuplot (gnuplot-nox) is not installed";
// Locally it skips with that message (GTEST_SKIP). Where the environment variable CI is set to a
// non-empty value (.ci/run sets CI=true) it fails instead, as a fatal failure, so that a broken
// install cannot look green. Like GTEST_SKIP and FAIL it returns from the current (void) function,
// and in SetUp() it keeps the test body from running. The Python tests use
// eqt_testing.skip_or_fail (tests/python/eqt_testing.py) and tests/CMakeLists.txt's
// eqt_add_missing_prerequisite_test for parts that were not built; all three read the same CI.
#include <gtest/gtest.h>

#include <cstdlib>

namespace eqt::testing {

// True where $CI is set and not empty.
inline bool strict_test_mode() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

inline ::testing::TestPartResult::Type missing_prerequisite_result() {
  return strict_test_mode() ? ::testing::TestPartResult::kFatalFailure : ::testing::TestPartResult::kSkip;
}

inline const char* missing_prerequisite_prefix() {
  return strict_test_mode() ? "Missing prerequisite, and CI is set (strict test mode: would skip locally): " : "";
}

}  // namespace eqt::testing

// GTEST_MESSAGE_ is what GTEST_SKIP() and FAIL() expand to, with the result type chosen at run time.
#define EQT_SKIP_OR_FAIL() \
  return GTEST_MESSAGE_(::eqt::testing::missing_prerequisite_prefix(), ::eqt::testing::missing_prerequisite_result())
