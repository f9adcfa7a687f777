#pragma once
// Equiformer's basis_type "bessel": GemNet's RadialBasis with a spherical Bessel basis and the
// polynomial envelope (exponent 5) on x = d / cutoff:
//   rbf_n = envelope_p(x) * sqrt(2 / cutoff^3) * sin(f_n x) / x,   f_n initialised to n pi,
// i.e. sqrt(2/c) sin(n pi d / c) / d times the envelope (DimeNet's basis, normalised).
// State dict: rbf.frequencies [K] (trainable) – the frequencies sit in a child module named
// "rbf", as in GemNet, so the official "rbf.rbf.frequencies" maps onto model "rbf" + this.
#include "eqt/models/equiformer/layers/radial_basis.h"

namespace eqt::models::equiformer {

// Holds only the trainable frequencies; exists so the state-dict name gets its "rbf." prefix.
class BesselFrequencies : public torch::nn::Module {
 public:
  BesselFrequencies(int64_t num_basis, c10::ScalarType dtype);
  at::Tensor frequencies;
};

class BesselBasis : public RadialBasis {
 public:
  BesselBasis(int64_t num_basis, double cutoff, int envelope_exponent = 5,
              c10::ScalarType dtype = at::kFloat);
  at::Tensor forward(const at::Tensor& distances) override;

  int envelope_exponent() const { return envelope_exponent_; }
  const at::Tensor& frequencies() const { return rbf_->frequencies; }

 private:
  int envelope_exponent_;
  std::shared_ptr<BesselFrequencies> rbf_;
};

}  // namespace eqt::models::equiformer
