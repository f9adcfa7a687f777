#include "eqt/train/schedule.h"

#include <algorithm>
#include <cmath>

namespace eqt::train {

double LrSchedule::lr_at(int64_t step) const {
  if (step < s_.warmup_steps) return s_.lr * static_cast<double>(step + 1) / static_cast<double>(s_.warmup_steps);
  if (s_.kind == "cosine") {
    const double span = static_cast<double>(std::max<int64_t>(1, s_.total_steps - s_.warmup_steps));
    const double p = std::clamp(static_cast<double>(step - s_.warmup_steps) / span, 0.0, 1.0);
    const double m = s_.min_lr_factor;
    return s_.lr * (m + (1.0 - m) * 0.5 * (1.0 + std::cos(M_PI * p)));
  }
  if (s_.kind == "plateau") return s_.lr * factor_;
  return s_.lr;
}

void LrSchedule::on_validation(double loss) {
  if (s_.kind != "plateau") return;
  if (!have_best_ || loss < best_) {
    best_ = loss;
    have_best_ = true;
    bad_ = 0;
    return;
  }
  if (++bad_ > s_.plateau_patience) {
    factor_ = std::max(factor_ * s_.plateau_factor, s_.min_lr_factor);
    bad_ = 0;
  }
}

nlohmann::json LrSchedule::state() const {
  return {{"factor", factor_}, {"best", best_}, {"have_best", have_best_}, {"bad", bad_}};
}

void LrSchedule::load_state(const nlohmann::json& state) {
  factor_ = state.at("factor").get<double>();
  best_ = state.at("best").get<double>();
  have_best_ = state.at("have_best").get<bool>();
  bad_ = state.at("bad").get<int64_t>();
}

double ema_decay_at(double decay, int64_t step) {
  return std::min(decay, (1.0 + static_cast<double>(step)) / (10.0 + static_cast<double>(step)));
}

}  // namespace eqt::train
