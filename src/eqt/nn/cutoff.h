#pragma once
// Smooth cutoff functions of interatomic distance. All are elementwise, keep the input's shape
// and dtype, and are twice differentiable through autograd (forces are trained, so the
// gradient of a force loss needs second derivatives).
#include <ATen/ATen.h>

namespace eqt::nn {

// TorchMD-Net CosineCutoff, as used by Equiformer's ExpNormalSmearing.
// lower == 0: 0.5 (cos(pi d / upper) + 1) for d < upper, else 0.
// lower > 0:  0.5 (cos(pi (2 (d - lower) / (upper - lower) + 1)) + 1) for lower < d < upper, else 0
//             (a bump that vanishes at both ends).
at::Tensor cosine_cutoff(const at::Tensor& distances, double upper, double lower = 0.0);

// DimeNet / GemNet polynomial envelope of the scaled distance x = d / cutoff:
// 1 - (p+1)(p+2)/2 x^p + p(p+2) x^(p+1) - p(p+1)/2 x^(p+2) for x < 1, else 0.
// Value, first and second derivative all vanish at x = 1.
at::Tensor polynomial_envelope(const at::Tensor& scaled_distances, int exponent);

// PET-style switch: 1 for d <= cutoff - width, 0.5 + 0.5 cos(pi (d - cutoff + width) / width)
// on (cutoff - width, cutoff), 0 for d >= cutoff. C1 at both ends.
at::Tensor cosine_switch(const at::Tensor& distances, double cutoff, double width);

}  // namespace eqt::nn
