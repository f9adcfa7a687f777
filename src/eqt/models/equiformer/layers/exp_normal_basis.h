#pragma once
// TorchMD-Net ExpNormalSmearing (Equiformer basis_type "exp", the paper's MD17 setting):
//   rbf_k = fcut(d) * exp(-beta_k (exp(alpha (lower - d)) - mean_k)^2),  alpha = 5 / (upper -
//   lower),
// fcut = cosine_cutoff(d, upper) with lower bound 0 regardless of `lower`, as the official code.
// Initial means = linspace(exp(lower - upper), 1, K), betas = ((2/K)(1 - exp(lower - upper)))^-2.
// State dict: means [K], betas [K]; buffers, or trainable parameters when `trainable`.
#include "eqt/models/equiformer/layers/radial_basis.h"

namespace eqt::models::equiformer {

class ExpNormalBasis : public RadialBasis {
 public:
  ExpNormalBasis(int64_t num_basis, double cutoff_upper, double cutoff_lower = 0.0,
                 bool trainable = false, c10::ScalarType dtype = at::kFloat);
  at::Tensor forward(const at::Tensor& distances) override;

  // The PhysNet initial values, computed in float64 and then cast to `dtype`.
  static std::pair<at::Tensor, at::Tensor> initial_means_betas(int64_t num_basis,
                                                               double cutoff_upper,
                                                               double cutoff_lower,
                                                               c10::ScalarType dtype);
  double cutoff_lower() const { return cutoff_lower_; }
  double alpha() const { return alpha_; }
  bool trainable() const { return trainable_; }

  at::Tensor means, betas;

 private:
  double cutoff_lower_;
  double alpha_;
  bool trainable_;
};

}  // namespace eqt::models::equiformer
