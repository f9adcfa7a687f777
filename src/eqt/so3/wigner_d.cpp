// Wigner D matrices from the so(3) generators in e3nn's real basis.
//
// The generators are e3nn's: the spin-l angular momentum matrices in the complex |l m> basis
// (x: (J+ + J-)/2 with e3nn's sign of J+, "y": i m on the diagonal, "z": -i (J+ - J-)/2),
// conjugated into the real basis, X = Q^dagger J Q. In the real basis, y is the polar axis.
//
// Instead of three matrix exponentials (e3nn), rotations about y are evaluated in closed form:
// the y generator only couples real components l + mu and l - mu with weight +-|mu|, so
// exp(t X_y) = diag(cos(|mu| t)) + S sin(|mu| t) with S = X_y / |mu| (column-wise). Rotations
// about x are conjugated rotations about y: R_x(b) = P R_y(b) P^T with P = R_z(-pi/2), hence
// D_x(b) = J D_y(b) J^T with the constant J = D_z(-pi/2) = exp(-pi/2 X_z). This is exact,
// batched, cheap and differentiable any number of times.
#include "eqt/so3/wigner_d.h"

#include <cmath>
#include <map>
#include <mutex>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/core/math_constants.h"
#include "eqt/so3/real_basis.h"
#include "eqt/so3/rotation.h"

namespace eqt::so3 {
namespace {

using detail::Complex;

struct DegreeConstants {
  at::Tensor generators;    // [3, d, d]
  at::Tensor frequency;     // [d]: |mu| of each real component
  at::Tensor sine_pattern;  // [d, d]: X_y with every column divided by its |mu|
  at::Tensor y_to_x;        // [d, d]: J = D_z(-pi/2)
};

// Spin-l angular momentum matrices (x, "y", "z" of the complex construction) in |l m>.
std::vector<std::vector<Complex>> complex_generators(int l) {
  const int d = 2 * l + 1;
  std::vector<Complex> raising(d * d), lowering(d * d);
  const long double casimir = static_cast<long double>(l) * (l + 1);
  for (int i = 0; i + 1 < d; ++i) {
    const long double m = i - l;  // raising takes m -> m + 1; e3nn's sign convention is negative
    raising[(i + 1) * d + i] = -std::sqrt(casimir - m * (m + 1));
    const long double m_up = i + 1 - l;  // lowering takes m_up -> m_up - 1
    lowering[i * d + (i + 1)] = std::sqrt(casimir - m_up * (m_up - 1));
  }
  std::vector<std::vector<Complex>> out(3, std::vector<Complex>(d * d));
  const Complex i_unit(0.0L, 1.0L);
  for (int k = 0; k < d * d; ++k) {
    out[0][k] = 0.5L * (raising[k] + lowering[k]);
    out[2][k] = -0.5L * i_unit * (raising[k] - lowering[k]);
  }
  for (int k = 0; k < d; ++k) out[1][k * d + k] = i_unit * static_cast<long double>(k - l);
  return out;
}

at::Tensor real_generators(int l) {
  const int d = 2 * l + 1;
  const auto q = detail::real_to_complex_matrix(l);
  auto out = at::empty({3, d, d}, at::TensorOptions().dtype(at::kDouble));
  auto accessor = out.accessor<double, 3>();
  const auto complex = complex_generators(l);
  for (int axis = 0; axis < 3; ++axis) {
    for (int a = 0; a < d; ++a) {
      for (int b = 0; b < d; ++b) {
        Complex sum(0.0L, 0.0L);
        for (int c = 0; c < d; ++c) {
          for (int e = 0; e < d; ++e) sum += std::conj(q[c * d + a]) * complex[axis][c * d + e] * q[e * d + b];
        }
        if (std::abs(sum.imag()) > 1e-12L) fail("so3_generators({}): internal error, not real", l);
        accessor[axis][a][b] = static_cast<double>(sum.real());
      }
    }
  }
  return out;
}

DegreeConstants compute_constants(int l) {
  DegreeConstants c;
  c.generators = real_generators(l);
  c.frequency = at::arange(-l, l + 1, at::TensorOptions().dtype(at::kDouble)).abs();
  c.sine_pattern = c.generators[1] / c.frequency.clamp_min(1.0).unsqueeze(0);
  c.y_to_x = at::matrix_exp(c.generators[2] * (-kPi / 2.0));
  return c;
}

const DegreeConstants& constants(int l) {
  if (l < 0) fail("wigner_D: degree l must be non-negative, got {}", l);
  static std::mutex mutex;
  static std::map<int, DegreeConstants> cache;  // std::map: references stay valid on insertion
  const std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(l);
  if (it == cache.end()) it = cache.emplace(l, compute_constants(l)).first;
  return it->second;
}

// exp(angle X_y): [..., d, d] for angles [...].
at::Tensor rotation_about_y(const at::Tensor& angle, const at::Tensor& frequency,
                            const at::Tensor& sine_pattern) {
  const auto phase = angle.unsqueeze(-1) * frequency;  // [..., d]
  return at::diag_embed(phase.cos()) + sine_pattern * phase.sin().unsqueeze(-2);
}

}  // namespace

at::Tensor so3_generators(int l) { return constants(l).generators.clone(); }

at::Tensor wigner_D(int l, const at::Tensor& alpha, const at::Tensor& beta, const at::Tensor& gamma) {
  const auto& c = constants(l);
  const auto abg = at::broadcast_tensors({alpha, beta, gamma});
  if (!at::isFloatingType(abg[0].scalar_type())) {
    fail("wigner_D: angles must be float32 or float64, got {}", c10::toString(abg[0].scalar_type()));
  }
  const auto options = abg[0].options();
  const auto frequency = c.frequency.to(options), sine_pattern = c.sine_pattern.to(options);
  const auto y_to_x = c.y_to_x.to(options);
  const auto d_beta = at::matmul(at::matmul(y_to_x, rotation_about_y(abg[1], frequency, sine_pattern)),
                                 y_to_x.transpose(0, 1));
  return at::matmul(at::matmul(rotation_about_y(abg[0], frequency, sine_pattern), d_beta),
                    rotation_about_y(abg[2], frequency, sine_pattern));
}

at::Tensor wigner_D_from_matrix(int l, const at::Tensor& rotation) {
  const auto angles = matrix_to_angles(rotation);
  return wigner_D(l, angles.alpha, angles.beta, angles.gamma);
}

at::Tensor irreps_D(const Irreps& irreps, const at::Tensor& matrix) {
  if (matrix.dim() < 2 || matrix.size(-1) != 3 || matrix.size(-2) != 3) {
    fail("irreps_D: expected matrices of shape [..., 3, 3], got {}", c10::str(matrix.sizes()));
  }
  // d = det R = +-1; the proper part d R gives the angles, d itself the parity action p^k.
  const auto sign = at::linalg_det(matrix.detach()).sign();
  const auto angles = matrix_to_angles(matrix * sign.unsqueeze(-1).unsqueeze(-1));
  const auto batch = sign.sizes().vec();
  auto shape = batch;
  shape.push_back(irreps.dim());
  shape.push_back(irreps.dim());
  auto out = at::zeros(shape, matrix.options());
  std::map<int, at::Tensor> by_degree;
  int64_t offset = 0;
  for (const auto& item : irreps) {
    auto& block = by_degree[item.ir.l];
    if (!block.defined()) block = wigner_D(item.ir.l, angles.alpha, angles.beta, angles.gamma);
    const auto signed_block = item.ir.p == -1 ? block * sign.unsqueeze(-1).unsqueeze(-1) : block;
    const int64_t d = item.ir.dim();
    for (int copy = 0; copy < item.mul; ++copy, offset += d) {
      out.narrow(-2, offset, d).narrow(-1, offset, d).copy_(signed_block);
    }
  }
  return out;
}

}  // namespace eqt::so3
