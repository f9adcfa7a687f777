#pragma once
// Real spherical harmonics with e3nn 0.5 conventions (y polar axis, l = 1 block = (x, y, z)):
// Y_l(R r) = D_l(R) Y_l(r). Built from ATen ops only, so any order of autograd works (forces
// and their derivatives in training).
#include <ATen/ATen.h>

#include "eqt/so3/irreps.h"

namespace eqt::so3 {

enum class ShNormalization {
  Component,  // |Y_l(r)|^2 = 2l+1 on the unit sphere, Y_0 = 1
  Integral,   // Component / sqrt(4 pi): each component has unit L2 norm over the sphere (e3nn's default)
  Norm,       // Component / sqrt(2l+1): |Y_l(r)| = 1 on the unit sphere
};

// vectors [..., 3] -> [..., irreps_sh.dim()], one block per copy of each item in irreps order.
//
// normalize = true evaluates on r / max(|r|, 1e-12) (as torch.nn.functional.normalize in e3nn):
// the zero vector gives Y_0 = 1 (scaled by the normalization) and zeros elsewhere, never NaN;
// derivatives there are finite but huge (order 1e12^k for the k-th, from the clamp, as in e3nn,
// whose second derivatives are even NaN there): keep zero-length edges out of training graphs.
// normalize = false gives the harmonic homogeneous polynomials of degree l of r itself.
//
// Parity rule of e3nn: the input is a vector (1o) unless some item has odd l and even parity,
// then a pseudovector (1e); every item must have parity p_in^l, i.e. either all items are
// (l, (-1)^l) or all are (l, +1). Anything else, an empty irreps, vectors whose last dimension
// is not 3 or a non-floating dtype throw eqt::Error. Any l is accepted (e3nn stops at 11).
at::Tensor spherical_harmonics(const Irreps& irreps_sh, const at::Tensor& vectors, bool normalize,
                               ShNormalization normalization);

// All degrees 0..lmax ("1x0e+1x1o+...", Irreps::spherical_harmonics(lmax)): [..., (lmax+1)^2].
// Unlike e3nn's spherical_harmonics(int l, ...), which returns only degree l.
at::Tensor spherical_harmonics(int lmax, const at::Tensor& vectors, bool normalize,
                               ShNormalization normalization);

}  // namespace eqt::so3
