#pragma once
// The smooth switches ECSE weights frames with. All are C-infinity, differentiable through ATen
// ops, and broadcast their tensor arguments (thresholds may themselves depend on positions).
#include <ATen/ATen.h>

#include <string>

namespace eqt::models::ecse {

// 1 for grid <= r_cut - delta, 0 for grid >= r_cut, smooth in between.
// "tanh": 0.5 + 0.5 tanh(1/(x+1) + 1/(x-1)), x = 2 (grid - (r_cut - delta/2)) / delta;
// "exp":  exp(-delta / (r_cut - grid)) below r_cut (no flat part).
at::Tensor cutoff_func(const at::Tensor& grid, const at::Tensor& r_cut, const at::Tensor& delta,
                       const std::string& mode);

// 0 for grid <= w, 1 for grid >= w + delta ("tanh"; "exp" tends to 1 only asymptotically); with
// linear_multiplier the result is further multiplied by (grid - w) / delta above w.
at::Tensor q_func(const at::Tensor& grid, const at::Tensor& w, const at::Tensor& delta,
                  const std::string& mode, bool linear_multiplier);

// Per-segment sum(exp(beta v) u v) / sum(exp(beta v) u) over entries with segment[k] = s;
// negative beta gives a smooth minimum. [num_segments]; 0 for empty segments (with finite grads).
at::Tensor segment_smooth_max(const at::Tensor& values, const at::Tensor& weights, double beta,
                              const at::Tensor& segment, int64_t num_segments);

// W0(1/e), the Lambert W function at exp(-1): the smooth max of two distances exceeds their max
// by at most W0(1/e) / beta, so adding it keeps the smooth max an upper bound.
double lambert_w0_of_inverse_e();

}  // namespace eqt::models::ecse
