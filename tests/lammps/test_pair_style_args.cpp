// pair_style eqt / pair_coeff argument parsing (src/lammps/pair_style_args.h), without LAMMPS.
#include <gtest/gtest.h>

#include <functional>

#include "eqt/core/error.h"
#include "pair_style_args.h"

namespace {

using eqt::lammps::parse_pair_coeff_elements;
using eqt::lammps::parse_pair_style_args;

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const eqt::Error& e) {
    return e.what();
  }
  return "";
}

TEST(PairStyleArgs, EveryKeyword) {
  const auto parsed = parse_pair_style_args({"run/dir", "float32", "mode", "local", "device", "cuda:1", "ecse",
                                             "ecse_fallback", "other", "ecse_pruning", "official"});
  EXPECT_EQ(parsed.model_dir, "run/dir");
  EXPECT_EQ(parsed.mode, "local");
  EXPECT_TRUE(parsed.options.float32);
  EXPECT_EQ(parsed.options.device, "cuda:1");
  EXPECT_TRUE(parsed.options.ecse);
  EXPECT_EQ(parsed.options.ecse_fallback, "other");
  EXPECT_EQ(parsed.options.ecse_pruning, "official");
}

TEST(PairStyleArgs, DefaultsAreFloat64OnTheCpuInTheModelsMode) {
  const auto parsed = parse_pair_style_args({"model"});
  EXPECT_EQ(parsed.model_dir, "model");
  EXPECT_EQ(parsed.mode, "");
  EXPECT_FALSE(parsed.options.float32);
  EXPECT_EQ(parsed.options.device, "cpu");
  EXPECT_FALSE(parsed.options.ecse);
}

TEST(PairStyleArgs, MistakesAreNamed) {
  EXPECT_NE(error_of([] { parse_pair_style_args({}); }).find("expected MODEL_DIR"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_style_args({"m", "mode", "fast"}); }).find("not 'fast'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_style_args({"m", "mode"}); }).find("(got 'mode')"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_style_args({"m", "float16"}); }).find("(got 'float16')"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_style_args({"m", "ecse_pruning", "single"}); }).find("need the keyword ecse"),
            std::string::npos);
  // A huge word is quoted in part only.
  const std::string message = error_of([] { parse_pair_style_args({"m", std::string(100000, 'x')}); });
  EXPECT_NE(message.find("(got 'xxx"), std::string::npos);
  EXPECT_LT(message.size(), 1000u);
}

TEST(PairCoeffElements, OneAtomicNumberPerType) {
  const auto numbers = parse_pair_coeff_elements({"*", "*", "O", "H", "Cu"}, 3);
  EXPECT_EQ(numbers, (std::vector<int64_t>{0, 8, 1, 29}));
}

TEST(PairCoeffElements, MistakesAreNamed) {
  EXPECT_NE(error_of([] { parse_pair_coeff_elements({"*", "*", "O"}, 2); }).find("(2 types)"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_coeff_elements({"1", "1", "O"}, 1); }).find("'* *'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_coeff_elements({"*", "*", "O", "Qq"}, 2); }).find("'Qq' (type 2)"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_pair_coeff_elements({"*", "*"}, 0); }).find("(0 types)"), std::string::npos);
}

}  // namespace
