#include "eqt/train/weights.h"

#include <ATen/core/grad_mode.h>

#include <cmath>

#include "eqt/core/error.h"

namespace eqt::train {

namespace {

template <typename Dict>
void check_same(const Dict& src, const Dict& dst, const char* what) {
  if (src.size() != dst.size()) fail("copy_weights: {} counts differ ({} vs {})", what, src.size(), dst.size());
}

}  // namespace

void copy_weights(const models::Model& src, models::Model& dst) {
  at::NoGradGuard no_grad;
  const auto sp = src.named_parameters();
  auto dp = dst.named_parameters();
  check_same(sp, dp, "parameter");
  for (const auto& item : sp) {
    at::Tensor* target = dp.find(item.key());
    if (!target || !target->sizes().equals(item.value().sizes())) fail("copy_weights: parameter {} differs", item.key());
    target->copy_(item.value());
  }
  const auto sb = src.named_buffers();
  auto db = dst.named_buffers();
  check_same(sb, db, "buffer");
  for (const auto& item : sb) {
    at::Tensor* target = db.find(item.key());
    if (!target || !target->sizes().equals(item.value().sizes())) fail("copy_weights: buffer {} differs", item.key());
    target->copy_(item.value());
  }
}

double gradient_norm(const models::Model& model) {
  at::NoGradGuard no_grad;
  at::Tensor sum;
  for (const auto& p : model.parameters()) {
    if (!p.grad().defined()) continue;
    const at::Tensor part = p.grad().to(at::kDouble).pow(2).sum();
    sum = sum.defined() ? sum + part : part;
  }
  return sum.defined() ? std::sqrt(sum.item<double>()) : 0.0;
}

bool weights_finite(const models::Model& model) {
  at::NoGradGuard no_grad;
  for (const auto& p : model.parameters()) {
    if (!at::isfinite(p).all().item<bool>()) return false;
  }
  return true;
}

double clip_gradient_norm(models::Model& model, double max_norm) {
  at::NoGradGuard no_grad;
  double sum = 0.0;
  for (const auto& p : model.parameters()) {
    if (p.grad().defined()) sum += p.grad().pow(2).sum().item<double>();
  }
  const double norm = std::sqrt(sum);
  const double factor = max_norm / (norm + 1e-6);
  if (factor < 1.0) {
    for (auto& p : model.parameters()) {
      if (p.grad().defined()) p.mutable_grad().mul_(factor);
    }
  }
  return norm;
}

void ema_update(models::Model& ema, const models::Model& model, double decay) {
  at::NoGradGuard no_grad;
  const auto mp = model.named_parameters();
  auto ep = ema.named_parameters();
  for (const auto& item : mp) {
    at::Tensor* e = ep.find(item.key());
    e->mul_(decay).add_(item.value(), 1.0 - decay);
  }
  const auto mb = model.named_buffers();
  auto eb = ema.named_buffers();
  for (const auto& item : mb) eb.find(item.key())->copy_(item.value());
}

}  // namespace eqt::train
