#pragma once
// Radial bases: distances [...] -> [..., num_basis]. Concrete bases live in gaussian_basis.h,
// exp_normal_basis.h and bessel_basis.h; each keeps the parameter / buffer names of the module
// the official Equiformer code uses, so its state dict loads directly.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <memory>
#include <string>

namespace eqt::models::equiformer {

class RadialBasis : public torch::nn::Module {
 public:
  RadialBasis(int64_t num_basis, double cutoff);
  virtual at::Tensor forward(const at::Tensor& distances) = 0;
  int64_t num_basis() const { return num_basis_; }
  double cutoff() const { return cutoff_; }

 protected:
  // Fails with a clear message on a non-floating input or a dtype other than `expected`.
  void check_distances(const at::Tensor& distances, c10::ScalarType expected,
                       const char* basis_name) const;

 private:
  int64_t num_basis_;
  double cutoff_;
};

// Equiformer's `basis_type`: "gaussian" (Graphormer), "exp" (ExpNormalSmearing, the paper's
// MD17 choice) or "bessel" (GemNet RadialBasis with spherical Bessel functions, envelope p=5).
std::shared_ptr<RadialBasis> make_radial_basis(const std::string& basis_type, int64_t num_basis,
                                               double cutoff, c10::ScalarType dtype = at::kFloat);

}  // namespace eqt::models::equiformer
