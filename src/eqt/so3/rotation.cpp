#include "eqt/so3/rotation.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <utility>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/core/math_constants.h"

namespace eqt::so3 {
namespace {

// Stacks nine [...] tensors given row by row into [..., 3, 3].
at::Tensor matrix_from_rows(const at::Tensor& a, const at::Tensor& b, const at::Tensor& c,
                            const at::Tensor& d, const at::Tensor& e, const at::Tensor& f,
                            const at::Tensor& g, const at::Tensor& h, const at::Tensor& i) {
  return at::stack({at::stack({a, b, c}, -1), at::stack({d, e, f}, -1), at::stack({g, h, i}, -1)},
                   -2);
}

void check_rotation_shape(const at::Tensor& rotation, const char* who) {
  if (rotation.dim() < 2 || rotation.size(-1) != 3 || rotation.size(-2) != 3) {
    fail("{}: expected rotation matrices of shape [..., 3, 3], got {}", who,
         c10::str(rotation.sizes()));
  }
}

}  // namespace

at::Tensor matrix_x(const at::Tensor& angle) {
  const auto c = angle.cos(), s = angle.sin();
  const auto one = at::ones_like(angle), zero = at::zeros_like(angle);
  return matrix_from_rows(one, zero, zero, zero, c, -s, zero, s, c);
}

at::Tensor matrix_y(const at::Tensor& angle) {
  const auto c = angle.cos(), s = angle.sin();
  const auto one = at::ones_like(angle), zero = at::zeros_like(angle);
  return matrix_from_rows(c, zero, s, zero, one, zero, -s, zero, c);
}

at::Tensor matrix_z(const at::Tensor& angle) {
  const auto c = angle.cos(), s = angle.sin();
  const auto one = at::ones_like(angle), zero = at::zeros_like(angle);
  return matrix_from_rows(c, -s, zero, s, c, zero, zero, zero, one);
}

at::Tensor angles_to_matrix(const at::Tensor& alpha, const at::Tensor& beta, const at::Tensor& gamma) {
  const auto abg = at::broadcast_tensors({alpha, beta, gamma});
  return at::matmul(at::matmul(matrix_y(abg[0]), matrix_x(abg[1])), matrix_y(abg[2]));
}

at::Tensor angles_to_xyz(const at::Tensor& alpha, const at::Tensor& beta) {
  const auto ab = at::broadcast_tensors({alpha, beta});
  const auto sin_beta = ab[1].sin();
  return at::stack({sin_beta * ab[0].sin(), ab[1].cos(), sin_beta * ab[0].cos()}, -1);
}

EulerAngles xyz_to_angles(const at::Tensor& xyz) {
  // Divide by max(|r|, eps) like torch.nn.functional.normalize: the zero vector maps to zero
  // instead of NaN. The clamp guards acos against |y| slightly above 1 from rounding.
  const auto norm = at::linalg_vector_norm(xyz, 2, {-1}, /*keepdim=*/true).clamp_min(1e-12);
  const auto unit = (xyz / norm).clamp(-1.0, 1.0);
  const auto x = unit.select(-1, 0), y = unit.select(-1, 1), z = unit.select(-1, 2);
  return {at::atan2(x, z), at::acos(y), at::zeros_like(x)};
}

EulerAngles matrix_to_angles(const at::Tensor& rotation) {
  check_rotation_shape(rotation, "matrix_to_angles");
  const auto det = at::linalg_det(rotation.detach());
  if (det.numel() > 0 && (det - 1.0).abs().max().item<double>() > 1e-4) {
    fail("matrix_to_angles: expected proper rotation matrices (det = +1), got a determinant of {}",
         det.flatten()[(det - 1.0).abs().flatten().argmax()].item<double>());
  }
  // The image of e_y fixes alpha and beta; undoing R(alpha, beta, 0) leaves R_y(gamma).
  auto angles = xyz_to_angles(rotation.select(-1, 1));
  const auto remainder =
      at::matmul(angles_to_matrix(angles.alpha, angles.beta, angles.gamma).transpose(-1, -2), rotation);
  angles.gamma = at::atan2(remainder.select(-2, 0).select(-1, 2), remainder.select(-2, 0).select(-1, 0));
  return angles;
}

EulerAngles random_angles(at::IntArrayRef shape, at::Generator generator, c10::ScalarType dtype) {
  const auto options = at::TensorOptions().dtype(at::kDouble);
  // One draw of three uniform numbers per rotation: [3, shape...].
  std::vector<int64_t> sizes{3};
  sizes.insert(sizes.end(), shape.begin(), shape.end());
  const auto uniform = at::rand(sizes, generator, options);
  const auto alpha = 2.0 * kPi * uniform[0];
  const auto beta = at::acos(2.0 * uniform[1] - 1.0);
  const auto gamma = 2.0 * kPi * uniform[2];
  return {alpha.to(dtype), beta.to(dtype), gamma.to(dtype)};
}

at::Tensor random_rotation(at::IntArrayRef shape, at::Generator generator, c10::ScalarType dtype) {
  // Built in float64 then cast, so the float32 matrices are the rounded float64 ones.
  const auto angles = random_angles(shape, std::move(generator), at::kDouble);
  return angles_to_matrix(angles.alpha, angles.beta, angles.gamma).to(dtype);
}

at::Tensor random_rotation(at::IntArrayRef shape, uint64_t seed, c10::ScalarType dtype) {
  return random_rotation(shape, make_cpu_generator(seed), dtype);
}

at::Generator make_cpu_generator(uint64_t seed) { return at::detail::createCPUGenerator(seed); }

}  // namespace eqt::so3
