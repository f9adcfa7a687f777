#pragma once
// Graphormer-style Gaussian basis (Equiformer's GaussianRadialBasisLayer, basis_type "gaussian"):
//   x = weight * (d / cutoff) + bias,  s_k = |std_k| + 1e-5,
//   rbf_k = exp(-0.5 ((x - mean_k) / s_k)^2) / (sqrt(2 * 3.14159) * s_k).
// pi is deliberately 3.14159, as in the official code, so trained weights reproduce exactly.
// State dict: mean [1, K], std [1, K], weight [1, 1], bias [1, 1] (all trainable parameters).
#include "eqt/models/equiformer/layers/radial_basis.h"

namespace eqt::models::equiformer {

class GaussianRadialBasis : public RadialBasis {
 public:
  // Initialisation as the official layer: mean ~ U(0, 1), std ~ U(1/K, 1), weight 1, bias 0.
  GaussianRadialBasis(int64_t num_basis, double cutoff, c10::ScalarType dtype = at::kFloat);
  at::Tensor forward(const at::Tensor& distances) override;

  at::Tensor mean, std, weight, bias;
};

}  // namespace eqt::models::equiformer
