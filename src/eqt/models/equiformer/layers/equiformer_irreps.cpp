#include "eqt/models/equiformer/layers/equiformer_irreps.h"

#include <algorithm>
#include <numeric>
#include <tuple>

namespace eqt::models::equiformer {

so3::Irreps::Sorted sort_irreps_even_first(const so3::Irreps& irreps) {
  std::vector<int> order(irreps.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    const auto& ia = irreps[a].ir;
    const auto& ib = irreps[b].ir;
    return std::make_tuple(ia.l, -ia.p) < std::make_tuple(ib.l, -ib.p);
  });
  so3::Irreps::Sorted result;
  std::vector<so3::MulIrrep> items;
  result.p.assign(irreps.size(), 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    items.push_back(irreps[order[k]]);
    result.inv.push_back(order[k]);
    result.p[order[k]] = static_cast<int>(k);
  }
  result.irreps = so3::Irreps(items);
  return result;
}

GateIrreps irreps_to_gate(const so3::Irreps& irreps) {
  std::vector<so3::MulIrrep> scalars, gated, gates;
  for (const auto& block : irreps) {
    if (block.ir.is_scalar()) {
      scalars.push_back(block);
    } else {
      gated.push_back(block);
      gates.push_back({block.mul, so3::Irrep(0, 1)});
    }
  }
  return {so3::Irreps(scalars).simplify(), so3::Irreps(gates).simplify(), so3::Irreps(gated).simplify()};
}

int scalar_multiplicity(const so3::Irreps& irreps) {
  int total = 0;
  for (const auto& block : irreps) {
    if (block.ir.is_scalar()) total += block.mul;
  }
  return total;
}

}  // namespace eqt::models::equiformer
