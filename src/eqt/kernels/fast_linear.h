#pragma once
// Linear layers and matrix products for float32 CPU tensors through oneDNN's sgemm, where eqt is
// built with oneDNN (EQT_HAVE_DNNL); at::linear / at::mm otherwise and for every other dtype or
// device. Why: LibTorch's CPU matmul goes to the system BLAS, and the Debian OpenBLAS 0.3.21 does
// not know AVX-512 CPUs newer than Skylake-X (on AMD Zen 4/5 it runs its AVX2 "Haswell" kernels),
// while oneDNN's JIT sgemm uses AVX-512 where the CPU has it.
//
// Both functions are differentiable to any order: their backward is written with the same
// functions, so forces with create_graph followed by a backward (the training step) work.
// The results agree with at::linear / at::mm to float32 rounding (the summation order differs).
#include <ATen/ATen.h>

namespace eqt::kernels {

// x [..., in] @ weight[out, in]^T + bias[out] (bias may be undefined).
at::Tensor fast_linear(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

// a [M, K] @ b [K, N].
at::Tensor fast_mm(const at::Tensor& a, const at::Tensor& b);

// Whether fast_linear / fast_mm use oneDNN for tensors like `like` (float32 on the CPU, built
// with oneDNN, not switched off by EQT_GEMM=blas in the environment).
bool uses_dnnl(const at::Tensor& like);

}  // namespace eqt::kernels
