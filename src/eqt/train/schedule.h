#pragma once
// Learning-rate schedules, as a pure function of the step plus (for reduce-on-plateau) a small
// state that checkpoints save, so that a resumed run uses exactly the same rates.
//   warm-up: lr * (step + 1) / warmup_steps for step < warmup_steps (any kind);
//   cosine:  lr * (m + (1 - m) (1 + cos(pi p)) / 2), p = (step - warmup) / (total - warmup) in [0, 1],
//            m = min_lr_factor;
//   plateau: lr * factor^k, k = times the validation loss did not improve for more than `patience`
//            validations in a row, floored at lr * min_lr_factor;
//   constant: lr.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace eqt::train {

struct ScheduleSettings {
  std::string kind = "cosine";
  double lr = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  double min_lr_factor = 0.0;
  double plateau_factor = 0.5;
  int64_t plateau_patience = 10;
};

class LrSchedule {
 public:
  explicit LrSchedule(ScheduleSettings settings) : s_(std::move(settings)) {}
  double lr_at(int64_t step) const;
  // Plateau bookkeeping after each validation (no-op for the other kinds).
  void on_validation(double loss);
  nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  ScheduleSettings s_;
  double factor_ = 1.0;
  double best_ = 0.0;
  bool have_best_ = false;
  int64_t bad_ = 0;
};

// Exponential moving average decay at optimiser step t (0-based): min(decay, (1 + t) / (10 + t)),
// so early averages do not remember the random initial weights for long.
double ema_decay_at(double decay, int64_t step);

}  // namespace eqt::train
