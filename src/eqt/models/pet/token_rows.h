#pragma once
// PET's transformer sees each centre's tokens as one padded row [N, T] (T = the largest token
// count of the batch), but only M <= N * T of them are real. TokenRows lists where each real
// token sits in that grid, so that everything applied token by token (linears, MLPs, layer
// norms, embeddings) runs on the packed [M, ...] tokens and only the attention itself, which
// mixes the tokens of a row, uses the padded grid. On rMD17 aspirin a quarter of the grid is
// padding, which the official code (and eqt before) pushed through every linear.
#include <ATen/ATen.h>

#include <cstdint>

namespace eqt::models::pet {

struct TokenRows {
  int64_t rows = 0;     // N
  int64_t columns = 0;  // T
  at::Tensor slot;      // int64 [M], flat grid index row * T + column of each packed token
  at::Tensor token;     // int64 [N * T], the packed token at each grid slot, -1 on padding

  int64_t size() const { return slot.size(0); }
};

// The real tokens of a layer: with a central token, column 0 of every row (packed first, in row
// order), then the neighbours that are not padding (columns 1..K, or 0..K-1 without a central
// token), in grid order. neighbour_index: int64 [E] flat index row * K + k of each real
// neighbour in the [N, K] neighbour grid (padding [N, K] true where there is none).
struct PackedLayout {
  TokenRows tokens;
  at::Tensor neighbour_index;
};
PackedLayout pack_tokens(const at::Tensor& padding, bool central_token);

}  // namespace eqt::models::pet
