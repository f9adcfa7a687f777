#pragma once
// A periodic structure cut into domains the way a domain-decomposed MD code holds it: each domain
// is its owned atoms followed by a shell of periodic images (LAMMPS's local and ghost atoms).
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "eqt/data/structure.h"

namespace eqt::testing {

struct Cluster {
  std::vector<double> positions;  // owned atoms first
  std::vector<int64_t> numbers;
  std::vector<int64_t> owner;  // index of the atom in the periodic structure
  int64_t owned = 0;
};

// Owned atoms, then every periodic image of any atom (not the owned atoms themselves) within
// `thickness` of an owned atom.
inline Cluster make_cluster(const data::Structure& s, const std::vector<int64_t>& owned, double thickness) {
  Cluster c;
  const auto x = s.positions.accessor<double, 2>();
  const auto cell = s.cell.accessor<double, 2>();
  const auto z = s.numbers.accessor<int64_t, 1>();
  const auto add = [&](int64_t atom, const double* p) {
    c.positions.insert(c.positions.end(), p, p + 3);
    c.numbers.push_back(z[atom]);
    c.owner.push_back(atom);
  };
  for (int64_t i : owned) {
    const double p[3] = {x[i][0], x[i][1], x[i][2]};
    add(i, p);
  }
  c.owned = static_cast<int64_t>(owned.size());
  const int k = static_cast<int>(std::ceil(thickness / 3.0)) + 1;
  for (int a = -k; a <= k; ++a)
    for (int b = -k; b <= k; ++b)
      for (int d = -k; d <= k; ++d)
        for (int64_t j = 0; j < s.num_atoms(); ++j) {
          const bool home = a == 0 && b == 0 && d == 0;
          if (home && std::find(owned.begin(), owned.end(), j) != owned.end()) continue;
          double p[3];
          for (int e = 0; e < 3; ++e) p[e] = x[j][e] + a * cell[0][e] + b * cell[1][e] + d * cell[2][e];
          bool near = false;
          for (int64_t i = 0; i < c.owned && !near; ++i) {
            const double* q = &c.positions[3 * i];
            near = std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]) <= thickness;
          }
          if (near) add(j, p);
        }
  return c;
}

}  // namespace eqt::testing
