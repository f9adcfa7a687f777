#include "eqt/train/losses.h"

namespace eqt::train {

at::Tensor loss_value(LossKind kind, const at::Tensor& e, double huber_delta) {
  switch (kind) {
    case LossKind::Mse: return (e * e).mean();
    case LossKind::L1: return e.abs().mean();
    case LossKind::Huber: {
      const at::Tensor a = e.abs();
      return at::where(a <= huber_delta, 0.5 * e * e, huber_delta * (a - 0.5 * huber_delta)).mean();
    }
  }
  return at::Tensor();
}

}  // namespace eqt::train
