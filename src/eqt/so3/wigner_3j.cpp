// Real Wigner 3j symbols in e3nn's basis.
//
// Recipe (same mathematics as e3nn 0.5.1, independently written):
//   1. complex Clebsch-Gordan coefficients <l1 m1; l2 m2 | l3 m3> (Condon-Shortley phase) from the
//      Racah formula, evaluated in long double to keep the alternating sum accurate;
//   2. change of basis of every index to e3nn's real basis with the matrix Q_l (rows: complex m,
//      columns: real index), which includes the global phase (-i)^l that makes the result real:
//          C_real[j,k,n] = sum_{a,b,c} Q1[a,j] Q2[b,k] conj(Q3[c,n]) CG[a,b,c];
//   3. normalise to unit Frobenius norm.
// The real basis index l+mu has y as polar axis; for l = 1 it is (x, y, z).
#include "eqt/so3/wigner_3j.h"

#include <cmath>
#include <complex>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/so3/real_basis.h"

namespace eqt::so3 {
namespace {

using Real = long double;
using detail::Complex;

Real factorial(int n) {
  // Table grows on demand; guarded by the caller's cache mutex (only called while it is held).
  static std::vector<Real> table{1.0L};
  while (static_cast<int>(table.size()) <= n) {
    table.push_back(table.back() * static_cast<Real>(table.size()));
  }
  return table[static_cast<std::size_t>(n)];
}

// <l1 m1; l2 m2 | l3 m1+m2> for integer angular momenta (Racah's closed form).
Real clebsch_gordan(int l1, int m1, int l2, int m2, int l3) {
  const int m3 = m1 + m2;
  if (std::abs(m3) > l3) return 0.0L;
  const Real prefactor =
      std::sqrt(static_cast<Real>(2 * l3 + 1) * factorial(l3 + l1 - l2) * factorial(l3 - l1 + l2) *
                factorial(l1 + l2 - l3) / factorial(l1 + l2 + l3 + 1)) *
      std::sqrt(factorial(l3 + m3) * factorial(l3 - m3) * factorial(l1 - m1) * factorial(l1 + m1) *
                factorial(l2 - m2) * factorial(l2 + m2));
  // k runs over every value keeping all factorial arguments non-negative.
  const int k_min = std::max({0, l2 - l3 - m1, l1 - l3 + m2});
  const int k_max = std::min({l1 + l2 - l3, l1 - m1, l2 + m2});
  Real sum = 0.0L;
  for (int k = k_min; k <= k_max; ++k) {
    const Real denominator = factorial(k) * factorial(l1 + l2 - l3 - k) * factorial(l1 - m1 - k) *
                             factorial(l2 + m2 - k) * factorial(l3 - l2 + m1 + k) *
                             factorial(l3 - l1 - m2 + k);
    sum += (k % 2 == 0 ? 1.0L : -1.0L) / denominator;
  }
  return prefactor * sum;
}

at::Tensor compute_real_wigner_3j(int l1, int l2, int l3) {
  const int d1 = 2 * l1 + 1, d2 = 2 * l2 + 1, d3 = 2 * l3 + 1;
  std::vector<Complex> value(static_cast<std::size_t>(d1 * d2 * d3), Complex(0.0L, 0.0L));
  for (int m1 = -l1; m1 <= l1; ++m1) {
    for (int m2 = -l2; m2 <= l2; ++m2) {
      const Real cg = clebsch_gordan(l1, m1, l2, m2, l3);
      if (cg == 0.0L) continue;
      for (const auto& [j, q1] : detail::real_to_complex_row(l1, m1)) {
        for (const auto& [k, q2] : detail::real_to_complex_row(l2, m2)) {
          for (const auto& [n, q3] : detail::real_to_complex_row(l3, m1 + m2)) {
            value[static_cast<std::size_t>((j * d2 + k) * d3 + n)] += cg * q1 * q2 * std::conj(q3);
          }
        }
      }
    }
  }
  Real norm2 = 0.0L, imag_max = 0.0L;
  for (const auto& v : value) {
    norm2 += v.real() * v.real();
    imag_max = std::max(imag_max, std::abs(v.imag()));
  }
  if (imag_max > 1e-10L || norm2 <= 0.0L) {
    fail("wigner_3j({}, {}, {}): internal error, change of basis did not give a real tensor",
         l1, l2, l3);
  }
  const Real inv_norm = 1.0L / std::sqrt(norm2);
  auto out = at::empty({d1, d2, d3}, at::TensorOptions().dtype(at::kDouble));
  double* data = out.data_ptr<double>();
  for (std::size_t i = 0; i < value.size(); ++i) {
    data[i] = static_cast<double>(value[i].real() * inv_norm);
  }
  return out;
}

}  // namespace

at::Tensor wigner_3j(int l1, int l2, int l3, c10::ScalarType dtype) {
  if (l1 < 0 || l2 < 0 || l3 < 0 || l3 < std::abs(l1 - l2) || l3 > l1 + l2) {
    fail("wigner_3j({}, {}, {}): the degrees violate the triangle inequality |l1-l2| <= l3 <= l1+l2",
         l1, l2, l3);
  }
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int>, at::Tensor> cache;
  at::Tensor exact;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[std::make_tuple(l1, l2, l3)];
    if (!slot.defined()) slot = compute_real_wigner_3j(l1, l2, l3);
    exact = slot;
  }
  // Always a fresh copy, so that callers may modify the result without corrupting the cache.
  return exact.to(dtype, /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace eqt::so3
