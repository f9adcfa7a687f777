#pragma once
// What every Equiformer layer that works on edges needs, computed once per forward pass.
// Official convention: message source = neighbour j, destination = centre i; the edge vector is
// positions[src] - positions[dst] (+ periodic shift), which is eqt's Graph::edge_vectors().
#include <ATen/ATen.h>

#include <cstdint>

#include "eqt/data/graph.h"
#include "eqt/models/equiformer/config.h"

namespace eqt::models::equiformer {

class RadialBasis;

struct EdgeInputs {
  at::Tensor src;     // int64 [E], neighbour j (edge_index[1])
  at::Tensor dst;     // int64 [E], centre i (edge_index[0])
  at::Tensor sh;      // [E, irreps_sh.dim()], component-normalised spherical harmonics
  at::Tensor radial;  // [E, number_of_basis]
  at::Tensor batch;   // int64 [N]
  // [E] smooth-cutoff weight of each edge in [0, 1] (config.smooth_cutoff); undefined for the
  // published model, whose edges all count fully. Every sum over edges multiplies by it.
  at::Tensor cutoff;
  int64_t num_nodes = 0;
};

// The edge inputs of `graph` with edge vectors `vectors` (graph.edge_vectors(), or a leaf tensor
// whose gradient gives per-edge forces): harmonics of irreps_sh, the radial basis, and the
// smooth-cutoff weights when the config asks for them. Shared by every Equiformer variant.
EdgeInputs make_edge_inputs(const EquiformerConfig& config, RadialBasis& rbf, const data::Graph& graph,
                            const at::Tensor& vectors);

}  // namespace eqt::models::equiformer
