#include "eqt/check/verdict.h"

#include <cmath>

namespace eqt::check {

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Pass:
      return "pass";
    case Verdict::Fail:
      return "FAIL";
    case Verdict::Info:
      return "info";
  }
  return "?";
}

Verdict at_most(double value, double threshold) {
  return std::isfinite(value) && value <= threshold ? Verdict::Pass : Verdict::Fail;
}

nlohmann::json to_json(const CheckResult& r) {
  nlohmann::json out = {{"name", r.name},         {"measured", r.measured}, {"value", r.value},
                        {"threshold", r.threshold}, {"rule", r.rule},       {"verdict", verdict_name(r.verdict)},
                        {"detail", r.detail}};
  if (!r.data.empty()) out["data"] = r.data;
  return out;
}

}  // namespace eqt::check
