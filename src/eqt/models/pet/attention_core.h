#pragma once
// The core of PET's cutoff attention, between the input and output linears: for every centre's
// row of tokens and every head,
//   a_ij = softmax_j(q_i . k_j / sqrt(d_head)) * w_j / (sum_k softmax_k(...) * w_k + 1e-15),
//   out_i = sum_j a_ij v_j,
// on packed tokens (token_rows.h; padding slots act as zero q, k, v).
//
// Two implementations with the same results (to rounding):
// - composite: ATen ops on the padded [3, H, N * T, d_head] grid; differentiable to any order.
// - fused: one kernel per row for the forward and one for the backward (no grid, no softmax /
//   re-weighting / gather passes over memory), for float32 / float64 CPU tensors. It is
//   differentiable to any order as well: when its backward is itself differentiated
//   (create_graph), it recomputes the composite one. Meant for energies and forces (inference,
//   MD); the training step, which differentiates twice anyway, uses the composite one.
#include <ATen/ATen.h>

#include "eqt/models/pet/token_rows.h"

namespace eqt::models::pet {

// qkv [M, 3 * D] packed (q | k | v, each [H, d_head]), key_weights [N, T] -> [M, D].
at::Tensor attention_core_composite(const at::Tensor& qkv, const TokenRows& rows, const at::Tensor& key_weights,
                                   int64_t n_head);
// Same, fused where there is a kernel for these tensors (else the composite one).
at::Tensor attention_core_fused(const at::Tensor& qkv, const TokenRows& rows, const at::Tensor& key_weights,
                               int64_t n_head);

}  // namespace eqt::models::pet
