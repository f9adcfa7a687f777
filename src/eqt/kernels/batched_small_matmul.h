#pragma once
// Batched products of many tiny matrices, one pair per edge (Z ~ 10^3-10^5, sides <= ~128), with
// their own kernels and a backward made of the same two products, so that they can be
// differentiated any number of times (forces in the graph, then the training loss).
//
// Why not at::bmm: on CPU LibTorch multiplies batches above a tiny size one sgemm call per batch
// entry, serially; here the per-call overhead would dominate. Why not a broadcast multiply + sum:
// its double backward materialises the broadcast product and reduces it again, several full passes
// over the largest edge tensors of Equiformer.
#include <ATen/ATen.h>

namespace eqt::kernels {

// a [Z, P, Q], b [Z, Q, R] -> [Z, P, R]: out[z] = a[z] @ b[z].
at::Tensor batched_small_mm(const at::Tensor& a, const at::Tensor& b);
// a [Z, P, R], b [Z, Q, R] -> [Z, P, Q]: out[z] = a[z] @ b[z]^T (contraction over the last axes).
at::Tensor batched_small_mm_nt(const at::Tensor& a, const at::Tensor& b);

}  // namespace eqt::kernels
