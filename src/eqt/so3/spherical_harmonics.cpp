// Spherical harmonics by the recursion that defines e3nn's polynomials:
//   Y_1(r) = sqrt(3) r,   Y_{l+1}(r)_i = c_l sum_jk C(l+1, 1, l)_ijk r_j Y_l(r)_k
// with C = wigner_3j and c_l > 0 fixed so that |Y_{l+1}(e_y)|^2 = 2l+3 (component norm).
// Projecting r (x) Y_l onto degree l+1 keeps exactly the harmonic part, so this gives the harmonic
// homogeneous polynomials of r, also for non-unit r, with e3nn's signs (e3nn generated its
// hard-coded polynomials from this very recursion). Each step is one matmul with a constant
// [3 (2l+1), 2l+3] matrix: plain ATen, differentiable to any order.
#include "eqt/so3/spherical_harmonics.h"

#include <cmath>
#include <mutex>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/core/math_constants.h"
#include "eqt/so3/wigner_3j.h"

namespace eqt::so3 {
namespace {

// Recursion matrices M_l (index l-1 for l >= 1), float64, grown on demand and kept forever.
std::vector<at::Tensor> recursion_matrices(int lmax) {
  static std::mutex mutex;
  static std::vector<at::Tensor> matrices;
  static at::Tensor at_pole = at::tensor({0.0, std::sqrt(3.0), 0.0}, at::kDouble);  // Y_l(e_y)
  const std::lock_guard<std::mutex> lock(mutex);
  const auto e_y = at::tensor({0.0, 1.0, 0.0}, at::kDouble);
  while (static_cast<int>(matrices.size()) < lmax - 1) {
    const int l = static_cast<int>(matrices.size()) + 1;
    const auto c = wigner_3j(l + 1, 1, l);  // [2l+3, 3, 2l+1]
    const auto raw_pole = at::einsum("ijk,j,k->i", {c, e_y, at_pole});
    const double scale = std::sqrt(2.0 * l + 3.0) / raw_pole.norm().item<double>();
    matrices.push_back((scale * c).permute({1, 2, 0}).reshape({3 * (2 * l + 1), 2 * l + 3}).contiguous());
    at_pole = scale * raw_pole;
  }
  return std::vector<at::Tensor>(matrices.begin(), matrices.begin() + std::max(lmax - 1, 0));
}

// Component-normalised Y_0 .. Y_lmax of r [..., 3], each [..., 2l+1].
std::vector<at::Tensor> component_blocks(int lmax, const at::Tensor& r) {
  std::vector<at::Tensor> blocks{at::ones_like(r.narrow(-1, 0, 1))};
  if (lmax >= 1) blocks.push_back(std::sqrt(3.0) * r);
  const auto matrices = recursion_matrices(lmax);
  for (int l = 1; l < lmax; ++l) {
    const auto outer = (r.unsqueeze(-1) * blocks.back().unsqueeze(-2)).flatten(-2);  // [..., 3 (2l+1)]
    blocks.push_back(at::matmul(outer, matrices[l - 1].to(r.options())));
  }
  return blocks;
}

double output_scale(int l, ShNormalization normalization) {
  switch (normalization) {
    case ShNormalization::Component: return 1.0;
    case ShNormalization::Integral: return 1.0 / std::sqrt(4.0 * kPi);
    case ShNormalization::Norm: return 1.0 / std::sqrt(2.0 * l + 1.0);
  }
  fail("spherical_harmonics: unknown normalization");
}

// e3nn's rule: the argument is a pseudovector (1e) if any item is (odd l, even parity), else a
// vector (1o); every item must then have parity p_in^l.
void check_parities(const Irreps& irreps_sh) {
  bool pseudovector = false;
  for (const auto& item : irreps_sh) pseudovector |= (item.ir.l % 2 == 1 && item.ir.p == 1);
  for (const auto& item : irreps_sh) {
    const int expected = (pseudovector || item.ir.l % 2 == 0) ? 1 : -1;
    if (item.ir.p != expected) {
      fail("spherical_harmonics: irreps {} asks for l = {} with parity {}, inconsistent with a {} "
           "argument (expected parity {}); items must all be (l, (-1)^l) or all (l, +1)",
           irreps_sh.str(), item.ir.l, item.ir.p, pseudovector ? "pseudovector (1e)" : "vector (1o)",
           expected);
    }
  }
}

// max(|r|, 1e-12) as in torch.nn.functional.normalize (so zero vectors stay zero, identical
// values to e3nn), but clamping |r|^2 before the square root: the norm's own double backward is
// NaN at r = 0, this form has finite derivatives of every order there.
at::Tensor guarded_norm(const at::Tensor& vectors) {
  return vectors.pow(2).sum(-1, /*keepdim=*/true).clamp_min(1e-24).sqrt();
}

void check_vectors(const at::Tensor& vectors) {
  if (!vectors.defined() || vectors.dim() < 1 || vectors.size(-1) != 3) {
    fail("spherical_harmonics: expected vectors of shape [..., 3], got {}",
         vectors.defined() ? c10::str(vectors.sizes()) : std::string("an undefined tensor"));
  }
  if (!at::isFloatingType(vectors.scalar_type())) {
    fail("spherical_harmonics: vectors must be float32 or float64, got {}",
         c10::toString(vectors.scalar_type()));
  }
}

}  // namespace

at::Tensor spherical_harmonics(const Irreps& irreps_sh, const at::Tensor& vectors, bool normalize,
                               ShNormalization normalization) {
  check_vectors(vectors);
  check_parities(irreps_sh);
  if (irreps_sh.dim() == 0) fail("spherical_harmonics: empty irreps '{}'", irreps_sh.str());
  const auto r = normalize ? vectors / guarded_norm(vectors) : vectors;
  const auto blocks = component_blocks(irreps_sh.lmax(), r);
  std::vector<at::Tensor> out;
  for (const auto& item : irreps_sh) {
    const double scale = output_scale(item.ir.l, normalization);
    const auto block = scale == 1.0 ? blocks[item.ir.l] : blocks[item.ir.l] * scale;
    for (int copy = 0; copy < item.mul; ++copy) out.push_back(block);
  }
  return at::cat(out, -1);
}

at::Tensor spherical_harmonics(int lmax, const at::Tensor& vectors, bool normalize,
                               ShNormalization normalization) {
  if (lmax < 0) fail("spherical_harmonics: lmax must be non-negative, got {}", lmax);
  return spherical_harmonics(Irreps::spherical_harmonics(lmax), vectors, normalize, normalization);
}

}  // namespace eqt::so3
