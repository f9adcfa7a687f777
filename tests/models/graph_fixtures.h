#pragma once
// Graphs of test structures, built the way eqt builds them everywhere (data::collate).
#include <ATen/ATen.h>

#include <vector>

#include "eqt/data/batch.h"
#include "eqt/data/structure.h"

namespace eqt::testing {

inline data::Graph graph_of(const std::vector<const data::Structure*>& structures, double cutoff,
                            c10::ScalarType dtype = at::kDouble) {
  return data::collate(structures, cutoff, dtype);
}

inline data::Graph graph_of(const data::Structure& structure, double cutoff, c10::ScalarType dtype = at::kDouble) {
  return graph_of(std::vector<const data::Structure*>{&structure}, cutoff, dtype);
}

}  // namespace eqt::testing
