#pragma once
// PET works on one fixed-width row of neighbour tokens per centre atom; eqt's Graph is a flat
// edge list. TokenLayout maps between the two: edge e = (i, j, S) becomes token (i, slot), rows
// are padded to the largest neighbour count K of the batch, and each token knows the token of its
// reverse edge (j, i, -S), through which PET passes messages ("neighbors_pos" in the official
// code). Built with a few sorts and scatters, so periodic images, batches and rotated edge
// vectors (ECSE) need nothing special.
#include <ATen/ATen.h>

#include <cstdint>

namespace eqt::models::pet {

struct TokenLayout {
  int64_t num_atoms = 0;
  int64_t max_neighbours = 0;  // K, tokens per centre (without the central token)
  at::Tensor token_of_edge;    // int64 [E], flat token index centre * K + slot of each edge
  at::Tensor reverse_token;    // int64 [N * K], flat token of the reverse edge; padding -> itself
                               // (undefined in a centre layout)
  at::Tensor padding;          // bool [N, K], true where a row has no neighbour

  // [E, ...] edge values -> [N, K, ...] tokens, `fill` on padding. Differentiable in values.
  at::Tensor to_tokens(const at::Tensor& edge_values, double fill = 0.0) const;
  // [N, K, ...] tokens -> the same tokens taken from the reverse edge of each token.
  at::Tensor from_reverse_edges(const at::Tensor& tokens) const;
  // Slot of i in the row of its k-th neighbour: the official neighbors_pos [N, K] (0 on padding).
  at::Tensor neighbour_slots() const;
};

// edge_index [2, E] (centre, neighbour), cell_shifts [E, 3] integer-valued lattice shifts.
// Throws eqt::Error when an edge has no reverse edge or an edge appears twice.
TokenLayout build_token_layout(const at::Tensor& edge_index, const at::Tensor& cell_shifts,
                               int64_t num_atoms);

// The rows of the first num_centres atoms only, for a domain of a decomposed system whose graph
// holds the edges of its own centres (pet/pet_steps.h): reverse edges may live in other domains,
// so reverse_token is left undefined (from_reverse_edges and neighbour_slots must not be called).
TokenLayout build_centre_token_layout(const at::Tensor& edge_index, int64_t num_centres);

}  // namespace eqt::models::pet
