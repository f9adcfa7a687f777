#pragma once
// Real Wigner 3j symbols (Clebsch-Gordan coefficients) in e3nn's real basis and sign convention:
// tensor [2l1+1, 2l2+1, 2l3+1] with unit Frobenius norm, invariant under simultaneous rotation
// of its three indices. Computed exactly once per (l1, l2, l3) in float64 and cached.
#include <ATen/ATen.h>

namespace eqt::so3 {

// Throws eqt::Error when (l1, l2, l3) violates the triangle inequality.
at::Tensor wigner_3j(int l1, int l2, int l3, c10::ScalarType dtype = c10::kDouble);

}  // namespace eqt::so3
