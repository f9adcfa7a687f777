#include "eqt/models/ecse/switching.h"

#include <cmath>

#include "eqt/core/error.h"

namespace eqt::models::ecse {
namespace {

// 1 at x <= -1, 0 at x >= 1. Points outside (-1, 1) are evaluated at 0 so that the unused branch
// of `where` cannot produce inf * 0 = NaN in the backward pass.
at::Tensor tanh_step(const at::Tensor& x) {
  const at::Tensor inside = at::logical_and(x > -1.0, x < 1.0);
  const at::Tensor safe = at::where(inside, x, at::zeros_like(x));
  const at::Tensor value = 0.5 * at::tanh(1.0 / (safe + 1.0) + 1.0 / (safe - 1.0)) + 0.5;
  const at::Tensor outside = at::where(x <= -1.0, at::ones_like(x), at::zeros_like(x));
  return at::where(inside, value, outside);
}

// exp(-1 / t) for t > 0, 0 otherwise (t = distance to the threshold in units of delta).
at::Tensor exp_step(const at::Tensor& t) {
  const at::Tensor positive = t > 0.0;
  const at::Tensor safe = at::where(positive, t, at::ones_like(t));
  return at::where(positive, at::exp(-1.0 / safe), at::zeros_like(t));
}

void check_mode(const std::string& mode) {
  if (mode != "tanh" && mode != "exp") fail("ECSE: unknown switching mode '{}'", mode);
}

}  // namespace

at::Tensor cutoff_func(const at::Tensor& grid, const at::Tensor& r_cut, const at::Tensor& delta,
                       const std::string& mode) {
  check_mode(mode);
  if (mode == "exp") return exp_step((r_cut - grid) / delta);
  return tanh_step(2.0 * (grid - (r_cut - 0.5 * delta)) / delta);
}

at::Tensor q_func(const at::Tensor& grid, const at::Tensor& w, const at::Tensor& delta,
                  const std::string& mode, bool linear_multiplier) {
  check_mode(mode);
  at::Tensor value = mode == "exp" ? exp_step((grid - w) / delta)
                                   : tanh_step(-2.0 * (grid - (w + 0.5 * delta)) / delta);
  if (linear_multiplier) value = at::where(grid >= w, value * (grid - w) / delta, value);
  return value;
}

at::Tensor segment_smooth_max(const at::Tensor& values, const at::Tensor& weights, double beta,
                              const at::Tensor& segment, int64_t num_segments) {
  const at::Tensor factor = at::exp(values * beta) * weights;
  const at::Tensor zeros = at::zeros({num_segments}, values.options());
  const at::Tensor numerator = zeros.index_add(0, segment, factor * values);
  const at::Tensor denominator = zeros.index_add(0, segment, factor);
  const at::Tensor empty = denominator == 0.0;
  return at::where(empty, zeros, numerator / at::where(empty, at::ones_like(denominator), denominator));
}

double lambert_w0_of_inverse_e() {
  // Newton on w e^w = 1/e from w = 0.3; converges to machine precision in a few steps.
  double w = 0.3;
  for (int k = 0; k < 50; ++k) {
    const double f = w * std::exp(w) - std::exp(-1.0);
    w -= f / (std::exp(w) * (1.0 + w));
  }
  return w;
}

}  // namespace eqt::models::ecse
