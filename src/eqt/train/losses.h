#pragma once
// Elementwise loss functions on normalised errors (error / scale), reduced by the mean, so that
// every target's loss is O(1) and per-target weights mean what they say:
//   mse:   e^2
//   l1:    |e|
//   huber: e^2 / 2 for |e| <= delta, delta (|e| - delta / 2) beyond (torch's HuberLoss).
#include <ATen/ATen.h>

#include "eqt/train/config.h"

namespace eqt::train {

at::Tensor loss_value(LossKind kind, const at::Tensor& normalised_error, double huber_delta);

}  // namespace eqt::train
