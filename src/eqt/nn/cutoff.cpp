#include "eqt/nn/cutoff.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/core/math_constants.h"

namespace eqt::nn {
namespace {

void require_floating(const at::Tensor& t, const char* what) {
  if (!t.defined() || !at::isFloatingType(t.scalar_type())) {
    fail("{}: distances must be a defined floating-point tensor", what);
  }
}

}  // namespace

at::Tensor cosine_cutoff(const at::Tensor& distances, double upper, double lower) {
  require_floating(distances, "cosine_cutoff");
  if (!(upper > lower) || lower < 0.0) {
    fail("cosine_cutoff: need 0 <= lower < upper, got lower={} upper={}", lower, upper);
  }
  // at::where instead of multiplying by a 0/1 mask: same values, and the discarded branch
  // cannot leak NaN into gradients.
  const auto zeros = at::zeros_like(distances);
  if (lower > 0.0) {
    const auto phase = kPi * (2.0 * (distances - lower) / (upper - lower) + 1.0);
    const auto value = 0.5 * (at::cos(phase) + 1.0);
    return at::where((distances < upper).logical_and(distances > lower), value, zeros);
  }
  const auto value = 0.5 * (at::cos(distances * kPi / upper) + 1.0);
  return at::where(distances < upper, value, zeros);
}

at::Tensor polynomial_envelope(const at::Tensor& scaled_distances, int exponent) {
  require_floating(scaled_distances, "polynomial_envelope");
  if (exponent <= 0) fail("polynomial_envelope: exponent must be positive, got {}", exponent);
  const double p = exponent;
  const double a = -(p + 1.0) * (p + 2.0) / 2.0;
  const double b = p * (p + 2.0);
  const double c = -p * (p + 1.0) / 2.0;
  const auto& x = scaled_distances;
  const auto value = 1.0 + a * at::pow(x, p) + b * at::pow(x, p + 1.0) + c * at::pow(x, p + 2.0);
  return at::where(x < 1.0, value, at::zeros_like(x));
}

at::Tensor cosine_switch(const at::Tensor& distances, double cutoff, double width) {
  require_floating(distances, "cosine_switch");
  if (!(width > 0.0) || !(cutoff > 0.0)) {
    fail("cosine_switch: cutoff and width must be positive, got cutoff={} width={}", cutoff, width);
  }
  const auto value = 0.5 + 0.5 * at::cos(kPi * (distances - cutoff + width) / width);
  const auto inner = at::where(distances <= cutoff - width, at::ones_like(distances), value);
  return at::where(distances < cutoff, inner, at::zeros_like(distances));
}

}  // namespace eqt::nn
