#pragma once
// Elementwise loss functions on normalised errors (error / scale), summed over the elements
// (loss_sum) or reduced by the mean (loss_value), so that every target's loss is O(1) and
// per-target weights mean what they say:
//   mse:   e^2
//   l1:    |e|
//   huber: e^2 / 2 for |e| <= delta, delta (|e| - delta / 2) beyond (torch's HuberLoss).
#include <ATen/ATen.h>

#include "eqt/train/config.h"

namespace eqt::train {

at::Tensor loss_sum(LossKind kind, const at::Tensor& normalised_error, double huber_delta);
at::Tensor loss_value(LossKind kind, const at::Tensor& normalised_error, double huber_delta);

}  // namespace eqt::train
