#pragma once
// The graph of an open cluster of atoms (no cell): a domain's owned atoms followed by its shell of
// surrounding atoms, periodic images included, as a domain-decomposed MD code holds them.
#include <ATen/ATen.h>

#include "eqt/data/graph.h"

namespace eqt::inference {

// positions double [N, 3] (Angstrom), numbers int64 [N]; every pair closer than cutoff is an edge.
data::Graph cluster_graph(const at::Tensor& positions, const at::Tensor& numbers, double cutoff,
                          c10::ScalarType dtype);

// The same graph with only the edges whose centre is one of the first num_owned atoms.
data::Graph owned_centres_only(const data::Graph& graph, int64_t num_owned);

}  // namespace eqt::inference
