#pragma once
// PET's attention mixes the tokens of a centre's row, so q, k and v must sit in a padded grid
// [parts, H, N * T, d_head] (one [T, d_head] block per row and head); everything else works on
// packed tokens [M, parts * D] (token_rows.h). to_grid / from_grid move tokens between the two
// in one pass each. They are each other's adjoint, so each is the other's gradient and both are
// differentiable to any order; unlike an index_copy into zeros and an index_select back, neither
// the forward nor any derivative allocates and fills a zero tensor of the other's size.
#include <ATen/ATen.h>

#include "eqt/models/pet/token_rows.h"

namespace eqt::models::pet {

// packed [M, parts * H * d_head] -> grid [parts, H, N * T, d_head], zeros on padding.
at::Tensor to_grid(const at::Tensor& packed, const TokenRows& rows, int64_t parts, int64_t n_head);
// grid [parts, H, N * T, d_head] -> packed [M, parts * H * d_head] (padding slots are dropped).
at::Tensor from_grid(const at::Tensor& grid, const TokenRows& rows);

}  // namespace eqt::models::pet
