#include "eqt/data/graph_rule.h"

#include <ATen/Parallel.h>

#include "eqt/data/batch.h"
#include "eqt/data/slab_neighbour_list.h"

namespace eqt::data {

NeighbourList neighbour_list(const Structure& structure, const GraphRule& rule) {
  if (rule.kind == GraphRule::Kind::Slab) return slab_neighbour_list(structure, {rule.cutoff, rule.max_neighbours});
  return neighbour_list(structure, rule.cutoff);
}

Graph collate(const std::vector<const Structure*>& structures, const GraphRule& rule, c10::ScalarType dtype) {
  if (rule.kind == GraphRule::Kind::Ase) return collate(structures, rule.cutoff, dtype);
  std::vector<NeighbourList> lists(structures.size());
  at::parallel_for(0, static_cast<int64_t>(structures.size()), 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) lists[b] = neighbour_list(*structures[b], rule);
  });
  return collate(structures, lists, dtype);
}

}  // namespace eqt::data
