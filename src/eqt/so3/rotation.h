#pragma once
// Rotation matrices and Euler angles with e3nn 0.5 conventions: y is the polar axis and
// R(alpha, beta, gamma) = R_y(alpha) R_x(beta) R_y(gamma) (gamma applied first).
// Every function is batched over leading dimensions, works in float32 and float64, and is
// differentiable through ATen ops.
#include <ATen/ATen.h>

#include <cstdint>

namespace eqt::so3 {

struct EulerAngles {
  at::Tensor alpha;  // about y, applied last
  at::Tensor beta;   // about x
  at::Tensor gamma;  // about y, applied first
};

// [..., 3, 3] rotation by `angle` [...] about the x, y or z axis (right-handed).
at::Tensor matrix_x(const at::Tensor& angle);
at::Tensor matrix_y(const at::Tensor& angle);
at::Tensor matrix_z(const at::Tensor& angle);

// R_y(alpha) R_x(beta) R_y(gamma); the angles are broadcast together.
at::Tensor angles_to_matrix(const at::Tensor& alpha, const at::Tensor& beta, const at::Tensor& gamma);
// Inverse of angles_to_matrix for proper rotations (throws eqt::Error when det R is not ~ +1):
// beta in [0, pi], alpha and gamma in (-pi, pi].
EulerAngles matrix_to_angles(const at::Tensor& rotation);

// Point on the unit sphere R(alpha, beta, 0) e_y = (sin b sin a, cos b, sin b cos a), and back
// (xyz need not be normalised; the zero vector gives alpha = 0, beta = pi/2 instead of NaN).
at::Tensor angles_to_xyz(const at::Tensor& alpha, const at::Tensor& beta);
EulerAngles xyz_to_angles(const at::Tensor& xyz);  // gamma is zero

// Uniformly (Haar) distributed rotations of shape [shape..., 3, 3]: alpha, gamma uniform in
// [0, 2 pi), cos(beta) uniform in [-1, 1]. Drawn in float64 from `generator` then cast, so a
// seeded generator gives the same rotations in every dtype.
EulerAngles random_angles(at::IntArrayRef shape, at::Generator generator,
                          c10::ScalarType dtype = c10::kDouble);
at::Tensor random_rotation(at::IntArrayRef shape, at::Generator generator,
                           c10::ScalarType dtype = c10::kDouble);
// Same, from a fresh CPU generator seeded with `seed`.
at::Tensor random_rotation(at::IntArrayRef shape, uint64_t seed, c10::ScalarType dtype = c10::kDouble);
at::Generator make_cpu_generator(uint64_t seed);

}  // namespace eqt::so3
