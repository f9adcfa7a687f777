#pragma once
// e3nn's change of basis between complex spherical harmonics |l m> (Condon-Shortley phase,
// z-like polar axis of the complex construction) and its real basis (index l + mu, y polar
// axis, (x, y, z) order for l = 1). Shared by wigner_3j and the so(3) generators so that both
// use exactly the same basis and phase. Internal to eqt::so3; computed in long double.
#include <complex>
#include <utility>
#include <vector>

namespace eqt::so3::detail {

using Complex = std::complex<long double>;

// Non-zero entries (real index, value) of row l + m of Q_l, where Q_l[complex, real] maps real
// components to complex ones, including e3nn's global phase (-i)^l (which makes the real
// Clebsch-Gordan tensor real).
std::vector<std::pair<int, Complex>> real_to_complex_row(int l, int m);

// Dense Q_l, row-major [(2l+1) x (2l+1)].
std::vector<Complex> real_to_complex_matrix(int l);

}  // namespace eqt::so3::detail
