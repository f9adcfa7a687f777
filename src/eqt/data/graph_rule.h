#pragma once
// Which neighbour-list rule a model's graphs are built with (models::Model::graph_rule()):
//  * the default, ASE's rule (neighbour_list.h): every image within `cutoff` along the periodic
//    directions, strict <;
//  * OC20's rule (slab_neighbour_list.h), for models trained on OC20-style slabs: in-plane images
//    only below 20 A, inclusive radius, at most max_neighbours nearest per centre.
// Everything that builds graphs for a model (predict, eval, training) goes through here, so a
// model's graphs are the ones it was trained on.
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <vector>

#include "eqt/data/graph.h"
#include "eqt/data/neighbour_list.h"
#include "eqt/data/structure.h"

namespace eqt::data {

struct GraphRule {
  enum class Kind { Ase, Slab };
  Kind kind = Kind::Ase;
  double cutoff = 0.0;
  int64_t max_neighbours = 0;  // Slab only; <= 0: no limit

  static GraphRule ase(double cutoff) { return {Kind::Ase, cutoff, 0}; }
  static GraphRule slab(double radius, int64_t max_neighbours) { return {Kind::Slab, radius, max_neighbours}; }
};

NeighbourList neighbour_list(const Structure& structure, const GraphRule& rule);

// data::collate (batch.h) with each structure's list built by `rule` (structures in parallel).
Graph collate(const std::vector<const Structure*>& structures, const GraphRule& rule,
              c10::ScalarType dtype = c10::kFloat);

}  // namespace eqt::data
