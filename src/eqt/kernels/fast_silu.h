#pragma once
// SiLU, x * sigmoid(x), with one fused CPU kernel per derivative order, differentiable to any order.
//
// Why: PET's feed-forward layers apply SiLU to [tokens, 512] tensors, and a training step
// differentiates it twice (forces with create_graph, then the loss). LibTorch's composite SiLU
// runs its forward, silu_backward and above all the double backward of silu_backward as several
// separate elementwise passes (sigmoid, products, sums), ~10-15% of a PET training step on CPU.
// Here each of y = silu(x), g * silu'(x) and a * b * silu''(x) is one pass, and the backward of
// each is written with the next one; the third derivative (rarely needed) uses plain ATen ops.
//
// Kernels exist for contiguous or non-contiguous CPU float32 / float64 tensors; every other dtype
// or device goes to at::silu. float64 uses std::exp (agrees with at::silu to a few ulp); float32
// uses a vectorisable exp (relative error ~1e-7), compiled per instruction set.
#include <ATen/ATen.h>

namespace eqt::kernels {

// x * sigmoid(x), elementwise.
at::Tensor fast_silu(const at::Tensor& x);

}  // namespace eqt::kernels
