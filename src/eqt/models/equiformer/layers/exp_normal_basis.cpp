#include "eqt/models/equiformer/layers/exp_normal_basis.h"

#include <cmath>

#include "eqt/core/error.h"
#include "eqt/nn/cutoff.h"

namespace eqt::models::equiformer {

ExpNormalBasis::ExpNormalBasis(int64_t num_basis, double cutoff_upper, double cutoff_lower,
                               bool trainable, c10::ScalarType dtype)
    : RadialBasis(num_basis, cutoff_upper),
      cutoff_lower_(cutoff_lower),
      alpha_(5.0 / (cutoff_upper - cutoff_lower)),
      trainable_(trainable) {
  if (!(cutoff_upper > cutoff_lower) || cutoff_lower < 0.0) {
    fail("ExpNormalBasis: need 0 <= cutoff_lower < cutoff_upper, got {} and {}", cutoff_lower,
         cutoff_upper);
  }
  auto [initial_means, initial_betas] =
      initial_means_betas(num_basis, cutoff_upper, cutoff_lower, dtype);
  if (trainable) {
    means = register_parameter("means", initial_means);
    betas = register_parameter("betas", initial_betas);
  } else {
    means = register_buffer("means", initial_means);
    betas = register_buffer("betas", initial_betas);
  }
}

std::pair<at::Tensor, at::Tensor> ExpNormalBasis::initial_means_betas(int64_t num_basis,
                                                                      double cutoff_upper,
                                                                      double cutoff_lower,
                                                                      c10::ScalarType dtype) {
  const double start = std::exp(cutoff_lower - cutoff_upper);
  const auto f64 = at::TensorOptions().dtype(at::kDouble);
  auto initial_means = at::linspace(start, 1.0, num_basis, f64);
  const double beta = std::pow(2.0 / static_cast<double>(num_basis) * (1.0 - start), -2.0);
  auto initial_betas = at::full({num_basis}, beta, f64);
  return {initial_means.to(dtype), initial_betas.to(dtype)};
}

at::Tensor ExpNormalBasis::forward(const at::Tensor& distances) {
  check_distances(distances, means.scalar_type(), "ExpNormalBasis");
  const auto d = distances.unsqueeze(-1);
  const auto envelope = nn::cosine_cutoff(d, cutoff(), 0.0);
  const auto shifted = at::exp(alpha_ * (-d + cutoff_lower_)) - means;
  return envelope * at::exp(-betas * shifted.pow(2));
}

}  // namespace eqt::models::equiformer
