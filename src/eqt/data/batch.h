#pragma once
// Many structures as one Graph (the model interface): atoms concatenated in the given order,
// each structure's edges from its own neighbour list with atom indices offset by the number of
// atoms before it, and per-atom / per-edge structure indices (batch, edge_batch) and ptr.
#include <c10/core/ScalarType.h>

#include <vector>

#include "eqt/data/graph.h"
#include "eqt/data/neighbour_list.h"
#include "eqt/data/structure.h"

namespace eqt::data {

// Computes each structure's neighbour list (structures in parallel) and collates.
// dtype (float32 / float64) is the dtype of positions, cell and cell_shifts.
Graph collate(const std::vector<const Structure*>& structures, double cutoff,
              c10::ScalarType dtype = c10::kFloat);

// Collates with neighbour lists computed elsewhere (lists[k] belongs to structures[k]), e.g. one
// kept between MD steps within a skin.
Graph collate(const std::vector<const Structure*>& structures,
              const std::vector<NeighbourList>& lists, c10::ScalarType dtype = c10::kFloat);

}  // namespace eqt::data
