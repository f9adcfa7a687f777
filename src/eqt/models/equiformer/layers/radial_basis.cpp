#include "eqt/models/equiformer/layers/radial_basis.h"

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/bessel_basis.h"
#include "eqt/models/equiformer/layers/exp_normal_basis.h"
#include "eqt/models/equiformer/layers/gaussian_basis.h"

namespace eqt::models::equiformer {

RadialBasis::RadialBasis(int64_t num_basis, double cutoff)
    : num_basis_(num_basis), cutoff_(cutoff) {
  if (num_basis <= 0) fail("radial basis: num_basis must be positive, got {}", num_basis);
  if (!(cutoff > 0.0)) fail("radial basis: cutoff must be positive, got {}", cutoff);
}

void RadialBasis::check_distances(const at::Tensor& distances, c10::ScalarType expected,
                                  const char* basis_name) const {
  if (!distances.defined() || !at::isFloatingType(distances.scalar_type())) {
    fail("{}: distances must be a defined floating-point tensor", basis_name);
  }
  // The [1, K] parameters would otherwise broadcast a 0-d input into a surprising [1, K].
  if (distances.dim() < 1) fail("{}: distances must have at least one dimension", basis_name);
  if (distances.scalar_type() != expected) {
    fail("{}: distances are {} but the basis parameters are {}; convert one of them", basis_name,
         c10::toString(distances.scalar_type()), c10::toString(expected));
  }
}

std::shared_ptr<RadialBasis> make_radial_basis(const std::string& basis_type, int64_t num_basis,
                                               double cutoff, c10::ScalarType dtype) {
  if (basis_type == "gaussian") {
    return std::make_shared<GaussianRadialBasis>(num_basis, cutoff, dtype);
  }
  if (basis_type == "exp") {
    return std::make_shared<ExpNormalBasis>(num_basis, cutoff, 0.0, /*trainable=*/false, dtype);
  }
  if (basis_type == "bessel") {
    return std::make_shared<BesselBasis>(num_basis, cutoff, /*envelope_exponent=*/5, dtype);
  }
  fail("unknown radial basis type '{}': expected 'gaussian', 'exp' or 'bessel'", basis_type);
}

}  // namespace eqt::models::equiformer
