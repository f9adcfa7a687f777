#include "eqt/models/equiformer/layers/bessel_basis.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/nn/cutoff.h"

namespace eqt::models::equiformer {

BesselFrequencies::BesselFrequencies(int64_t num_basis, c10::ScalarType dtype) {
  const double pi = std::acos(-1.0);
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  frequencies =
      register_parameter("frequencies", (pi * at::arange(1, num_basis + 1, f64)).to(dtype));
}

BesselBasis::BesselBasis(int64_t num_basis, double cutoff, int envelope_exponent,
                         c10::ScalarType dtype)
    : RadialBasis(num_basis, cutoff), envelope_exponent_(envelope_exponent) {
  if (envelope_exponent <= 0) {
    fail("BesselBasis: envelope exponent must be positive, got {}", envelope_exponent);
  }
  rbf_ = register_module("rbf", std::make_shared<BesselFrequencies>(num_basis, dtype));
}

at::Tensor BesselBasis::forward(const at::Tensor& distances) {
  check_distances(distances, rbf_->frequencies.scalar_type(), "BesselBasis");
  // GemNet multiplies by 1/cutoff (not divides); kept for bitwise agreement in float64.
  const auto x = distances * (1.0 / cutoff());
  const auto envelope = nn::polynomial_envelope(x, envelope_exponent_).unsqueeze(-1);
  // sqrt(2 / c^3) / x = sqrt(2 / c) / d: the c^3 compensates for using the scaled distance.
  const double norm_const = std::sqrt(2.0 / std::pow(cutoff(), 3));
  const auto xs = x.unsqueeze(-1);
  return envelope * (norm_const / xs * at::sin(rbf_->frequencies * xs));
}

}  // namespace eqt::models::equiformer
