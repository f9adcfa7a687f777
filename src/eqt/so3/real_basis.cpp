#include "eqt/so3/real_basis.h"

#include <cmath>
#include <cstdlib>

namespace eqt::so3::detail {

std::vector<std::pair<int, Complex>> real_to_complex_row(int l, int m) {
  // Complex m < 0 mixes real columns l + |m| and l - |m| as (1, -i)/sqrt2, m > 0 as
  // (-1)^m (1, i)/sqrt2 (the usual real <-> complex relation, Wikipedia "Real form"), m = 0 is
  // real already; everything times (-i)^l.
  const long double inv_sqrt2 = 1.0L / std::sqrt(2.0L);
  const Complex i(0.0L, 1.0L);
  Complex phase = 1.0L;
  for (int n = 0; n < l; ++n) phase *= -i;
  const int a = std::abs(m);
  if (m == 0) return {{l, phase}};
  if (m < 0) return {{l + a, phase * inv_sqrt2}, {l - a, phase * (-i) * inv_sqrt2}};
  const long double sign = (m % 2 == 0) ? 1.0L : -1.0L;
  return {{l + a, phase * sign * inv_sqrt2}, {l - a, phase * i * sign * inv_sqrt2}};
}

std::vector<Complex> real_to_complex_matrix(int l) {
  const int d = 2 * l + 1;
  std::vector<Complex> q(static_cast<std::size_t>(d * d), Complex(0.0L, 0.0L));
  for (int m = -l; m <= l; ++m) {
    for (const auto& [column, value] : real_to_complex_row(l, m)) {
      q[static_cast<std::size_t>((l + m) * d + column)] = value;
    }
  }
  return q;
}

}  // namespace eqt::so3::detail
