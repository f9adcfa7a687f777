#include "eqt/train/evaluation_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "eqt/core/error.h"

namespace eqt::train {

void ErrorStatistics::add(double predicted, double reference) {
  const double error = predicted - reference;
  sum_abs_ += std::abs(error);
  sum_squares_ += error * error;
  max_abs_ = std::max(max_abs_, std::abs(error));
  ++count_;
}

void ErrorStatistics::add(const at::Tensor& predicted, const at::Tensor& reference) {
  if (predicted.numel() != reference.numel()) {
    fail("cannot compare {} predicted values with {} reference values", predicted.numel(), reference.numel());
  }
  const at::Tensor p = predicted.detach().to(at::kDouble).contiguous().reshape({-1});
  const at::Tensor r = reference.detach().to(at::kDouble).contiguous().reshape({-1});
  const double* pp = p.data_ptr<double>();
  const double* rp = r.data_ptr<double>();
  for (int64_t i = 0; i < p.numel(); ++i) add(pp[i], rp[i]);
}

double ErrorStatistics::mae() const {
  return count_ == 0 ? std::numeric_limits<double>::quiet_NaN() : sum_abs_ / static_cast<double>(count_);
}

double ErrorStatistics::rmse() const {
  return count_ == 0 ? std::numeric_limits<double>::quiet_NaN() : std::sqrt(sum_squares_ / static_cast<double>(count_));
}

void EvaluationMetrics::add(const std::string& name, const std::string& unit, const std::string& per,
                            const at::Tensor& predicted, const at::Tensor& reference) {
  TargetErrors* target = nullptr;
  for (auto& t : targets_) {
    if (t.name == name) target = &t;
  }
  if (!target) {
    targets_.push_back({name, unit, per, {}, {}, {}});
    target = &targets_.back();
  }
  target->errors.add(predicted, reference);
  const at::Tensor p = predicted.detach().to(at::kDouble).contiguous().reshape({-1});
  const at::Tensor r = reference.detach().to(at::kDouble).contiguous().reshape({-1});
  target->predicted.insert(target->predicted.end(), p.data_ptr<double>(), p.data_ptr<double>() + p.numel());
  target->reference.insert(target->reference.end(), r.data_ptr<double>(), r.data_ptr<double>() + r.numel());
}

void EvaluationMetrics::count_structure(int64_t atoms) { count_structures(1, atoms); }

void EvaluationMetrics::count_structures(int64_t structures, int64_t atoms) {
  structures_ += structures;
  atoms_ += atoms;
}

const TargetErrors* EvaluationMetrics::find(const std::string& name) const {
  for (const auto& t : targets_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace eqt::train
