#include "eqt/train/losses.h"

#include <algorithm>

namespace eqt::train {

at::Tensor loss_sum(LossKind kind, const at::Tensor& e, double huber_delta) {
  switch (kind) {
    case LossKind::Mse: return (e * e).sum();
    case LossKind::L1: return e.abs().sum();
    case LossKind::Huber: {
      const at::Tensor a = e.abs();
      return at::where(a <= huber_delta, 0.5 * e * e, huber_delta * (a - 0.5 * huber_delta)).sum();
    }
  }
  return at::Tensor();
}

at::Tensor loss_value(LossKind kind, const at::Tensor& e, double huber_delta) {
  return loss_sum(kind, e, huber_delta) / static_cast<double>(std::max<int64_t>(1, e.numel()));
}

}  // namespace eqt::train
