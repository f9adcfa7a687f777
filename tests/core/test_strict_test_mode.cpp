// tests/support/skip.h: a missing prerequisite skips locally and fails where CI is set.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "support/skip.h"

namespace eqt::testing {
namespace {

// Sets (or unsets, for nullopt) $CI for the scope of a test.
class ScopedCi {
 public:
  explicit ScopedCi(const std::optional<std::string>& value) {
    if (const char* old = std::getenv("CI")) saved_ = old;
    if (value) {
      setenv("CI", value->c_str(), 1);
    } else {
      unsetenv("CI");
    }
  }
  ~ScopedCi() {
    if (saved_) {
      setenv("CI", saved_->c_str(), 1);
    } else {
      unsetenv("CI");
    }
  }

 private:
  std::optional<std::string> saved_;
};

void needs_a_missing_tool() { EQT_SKIP_OR_FAIL() << "frobnicator is not installed"; }

TEST(StrictTestMode, MissingPrerequisiteFailsWhereCiIsSet) {
  const ScopedCi ci("true");
  EXPECT_TRUE(strict_test_mode());
  EXPECT_FATAL_FAILURE(needs_a_missing_tool(), "frobnicator is not installed");
  EXPECT_FATAL_FAILURE(needs_a_missing_tool(), "strict test mode");
}

TEST(StrictTestMode, UnsetOrEmptyCiSkips) {
  {
    const ScopedCi ci(std::nullopt);
    EXPECT_FALSE(strict_test_mode());
    EXPECT_EQ(missing_prerequisite_result(), ::testing::TestPartResult::kSkip);
  }
  const ScopedCi ci("");
  EXPECT_FALSE(strict_test_mode());
  EXPECT_EQ(missing_prerequisite_result(), ::testing::TestPartResult::kSkip);
}

}  // namespace
}  // namespace eqt::testing
