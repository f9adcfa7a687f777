#pragma once
// Wigner D matrices: the real orthogonal representation of SO(3) (and, with parity, O(3)) on
// e3nn's real basis, so that Y_l(R r) = D_l(R) Y_l(r) and wigner_3j is invariant under
// D_l1 x D_l2 x D_l3. For l = 1, D_1(R) = R (x, y, z order).
#include <ATen/ATen.h>

#include "eqt/so3/irreps.h"

namespace eqt::so3 {

// [3, 2l+1, 2l+1] float64 antisymmetric generators of rotations about x, y and z in the real
// basis: D_l(matrix_axis(t)) = exp(t X_axis). Cached per l.
at::Tensor so3_generators(int l);

// D_l(alpha, beta, gamma) = D_y(alpha) D_x(beta) D_y(gamma), shape [..., 2l+1, 2l+1] for
// broadcast angles [...], in the angles' dtype and device; differentiable in the angles.
at::Tensor wigner_D(int l, const at::Tensor& alpha, const at::Tensor& beta, const at::Tensor& gamma);

// D_l of proper rotation matrices [..., 3, 3] (throws eqt::Error when det != +1; use irreps_D
// for improper ones, whose action depends on the parity).
at::Tensor wigner_D_from_matrix(int l, const at::Tensor& rotation);

// Block-diagonal [..., dim, dim] representation of O(3) on `irreps` for orthogonal matrices
// [..., 3, 3] of either determinant: with R = d Q (d = det R = +-1, Q proper), each block
// mul x (l, p) is p^k D_l(Q) where k = 1 for d = -1 (inversion) and 0 otherwise. As
// e3nn's Irreps.D_from_matrix. Features transform as x' = x @ D^T for row vectors.
at::Tensor irreps_D(const Irreps& irreps, const at::Tensor& matrix);

}  // namespace eqt::so3
