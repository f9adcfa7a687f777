#pragma once
// One diagnostic of `eqt check`: what was measured, against which threshold, and the verdict.
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace eqt::check {

enum class Verdict { Pass, Fail, Info };  // Info: reported without a verdict (not guaranteed)

struct CheckResult {
  CheckResult() = default;
  CheckResult(std::string name_, std::string measured_, double threshold_, std::string rule_)
      : name(std::move(name_)), measured(std::move(measured_)), threshold(threshold_), rule(std::move(rule_)) {}

  std::string name;       // "cutoff_crossing", "finite_difference_forces", ...
  std::string measured;   // what `value` is, with its unit
  double value = 0;
  double threshold = 0;   // pass when value <= threshold (or as `rule` says)
  std::string rule;       // the pass rule in words
  Verdict verdict = Verdict::Info;
  std::string detail;     // one line: where the worst case was, why Info, ...
  nlohmann::json data = nlohmann::json::object();  // check-specific figures for the JSON report
};

const char* verdict_name(Verdict verdict);
// Pass when value <= threshold, else Fail.
Verdict at_most(double value, double threshold);
nlohmann::json to_json(const CheckResult& result);

}  // namespace eqt::check
