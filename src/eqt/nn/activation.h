#pragma once
// Scalar activations rescaled to unit second moment, as e3nn's `normalize2mom`: for z ~ N(0, 1),
// act_n(x) = cst * act(x) with cst = E[act(z)^2]^(-1/2). e3nn estimates the expectation from a
// fixed sample (torch.randn(1_000_000, float64) with a CPU generator seeded 0); LibTorch's CPU
// generator draws the same sample, so the constants agree with the Python models bit for bit
// (up to summation order). |cst - 1| < 1e-4 is treated as cst = 1, as e3nn does.
#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <vector>

namespace eqt::nn {

using ScalarFunction = std::function<at::Tensor(const at::Tensor&)>;

// Equiformer's SmoothLeakyReLU: (1+a)/2 x + (1-a)/2 x (2 sigmoid(x) - 1).
at::Tensor smooth_leaky_relu(const at::Tensor& x, double negative_slope = 0.2);

// The raw (unnormalized) activation called `name`: silu, sigmoid, tanh, relu, gelu, abs,
// smooth_leaky_relu (slope 0.2). Throws eqt::Error listing the names otherwise.
ScalarFunction activation_function(const std::string& name);
std::vector<std::string> activation_names();

// E[f(z)^2]^(-1/2) over e3nn's fixed normal sample, computed in float64.
double normalize2mom_constant(const ScalarFunction& f);

// +1 if f is even, -1 if odd, 0 if neither (e3nn's test on linspace(0, 10, 256), tolerance 1e-5);
// decides the parity of the output of an activation applied to pseudo-scalars.
int activation_parity(const ScalarFunction& f);

class NormalizedActivation {
 public:
  NormalizedActivation(std::string name, ScalarFunction f);

  at::Tensor operator()(const at::Tensor& x) const;
  const std::string& name() const { return name_; }
  double constant() const { return constant_; }  // as estimated, before the identity rule
  bool is_identity() const { return is_identity_; }
  int parity() const { return parity_; }

 private:
  std::string name_;
  ScalarFunction f_;
  double constant_;
  bool is_identity_;
  int parity_;
};

// The normalized activation called `name`, computed on first use and cached (thread-safe).
const NormalizedActivation& normalized_activation(const std::string& name);

}  // namespace eqt::nn
