#pragma once
// Central finite-difference check of autograd gradients in float64. `f` computes an output from
// `leaves` (float64 tensors with requires_grad, e.g. inputs and module parameters, captured by
// reference); for L = sum(f() * probe) with a fixed random probe, dL/dleaf from autograd is compared
// with (L(leaf + h e_i) - L(leaf - h e_i)) / 2h for every element of every leaf.
#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace eqt::testing {

// Largest |autograd - finite difference| over all elements of all leaves.
inline double max_gradient_error(const std::function<at::Tensor()>& f, const std::vector<at::Tensor>& leaves,
                                 double h = 1e-6) {
  const at::Tensor probe = at::randn_like(f().detach());
  const auto loss = [&] { return (f() * probe).sum(); };
  const auto grads = torch::autograd::grad({loss()}, leaves);
  double worst = 0.0;
  at::NoGradGuard no_grad;
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    const at::Tensor flat = leaves[k].view(-1);  // shares storage: edits perturb the leaf
    const at::Tensor grad = grads[k].reshape(-1);
    for (int64_t i = 0; i < flat.numel(); ++i) {
      const double original = flat[i].item<double>();
      flat[i] = original + h;
      const double plus = loss().item<double>();
      flat[i] = original - h;
      const double minus = loss().item<double>();
      flat[i] = original;
      worst = std::max(worst, std::abs((plus - minus) / (2 * h) - grad[i].item<double>()));
    }
  }
  return worst;
}

// A float64 leaf tensor that requires grad.
inline at::Tensor leaf(const at::Tensor& value) {
  return value.detach().to(at::kDouble).clone().set_requires_grad(true);
}

}  // namespace eqt::testing
