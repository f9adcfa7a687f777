#include "eqt/models/equiformer/layers/gaussian_basis.h"

#include <cmath>

namespace eqt::models::equiformer {
namespace {

// The official code's truncated pi; changing it would shift every trained model's features.
constexpr double kGraphormerPi = 3.14159;
constexpr double kStdFloor = 1e-5;

}  // namespace

GaussianRadialBasis::GaussianRadialBasis(int64_t num_basis, double cutoff, c10::ScalarType dtype)
    : RadialBasis(num_basis, cutoff) {
  const auto options = at::TensorOptions().dtype(dtype);
  mean = register_parameter("mean", at::empty({1, num_basis}, options).uniform_(0.0, 1.0));
  std =
      register_parameter("std", at::empty({1, num_basis}, options).uniform_(1.0 / num_basis, 1.0));
  weight = register_parameter("weight", at::ones({1, 1}, options));
  bias = register_parameter("bias", at::zeros({1, 1}, options));
}

at::Tensor GaussianRadialBasis::forward(const at::Tensor& distances) {
  check_distances(distances, mean.scalar_type(), "GaussianRadialBasis");
  // Same operation order as the reference so float64 results agree to the last bits.
  const auto x = weight * (distances / cutoff()).unsqueeze(-1) + bias;
  const auto s = std.abs() + kStdFloor;
  const auto z = (x - mean) / s;
  const double normaliser = std::sqrt(2.0 * kGraphormerPi);
  return at::exp(-0.5 * z.pow(2)) / (normaliser * s);
}

}  // namespace eqt::models::equiformer
