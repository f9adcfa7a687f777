#include "eqt/models/pet/attention_core.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eqt/models/pet/attention_kernels.h"
#include "eqt/models/pet/token_grid.h"
#include "eqt/kernels/batched_small_matmul.h"

namespace eqt::models::pet {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// q, k and v of every head as contiguous [H * N, T, d_head] batches of the padded grid
// (token_grid.h), the attention there, and the result back to packed tokens.
at::Tensor composite(const at::Tensor& qkv, const TokenRows& rows, const at::Tensor& key_weights, int64_t n_head) {
  const int64_t d = qkv.size(1) / 3, n = key_weights.size(0), t = key_weights.size(1);
  const int64_t d_head = d / n_head;
  // unbind, not select: the gradient of each select would be a zero-filled copy of the whole grid.
  const std::vector<at::Tensor> parts = to_grid(qkv, rows, 3, n_head).unbind(0);
  const auto part = [&](std::size_t i) { return parts[i].view({n_head * n, t, d_head}); };
  const at::Tensor scores = kernels::batched_small_mm_nt(part(0), part(1)) * (1.0 / std::sqrt(double(d_head)));
  // The softmax normalisation cancels in the renormalisation, but is kept so that the epsilon
  // acts on the same scale as in the official model.
  at::Tensor weights = at::softmax(scores.view({n_head, n, t, t}), -1) * key_weights.view({1, n, 1, t});
  weights = weights / (weights.sum(-1, /*keepdim=*/true) + kAttentionRenormEps);
  const at::Tensor mixed = kernels::batched_small_mm(weights.view({n_head * n, t, t}), part(2));
  return from_grid(mixed.view({1, n_head, n * t, d_head}), rows);
}

struct FusedAttention : public torch::autograd::Function<FusedAttention> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& qkv, const at::Tensor& key_weights,
                            const at::Tensor& token, const at::Tensor& slot, int64_t n_head) {
    AttentionForward f = attention_forward_kernel(qkv, key_weights, token, n_head);
    ctx->save_for_backward({qkv, key_weights, token, slot, f.probabilities, f.weights, f.inverse_norms});
    ctx->saved_data["n_head"] = n_head;
    return f.out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const int64_t n_head = ctx->saved_data["n_head"].toInt();
    const at::Tensor& qkv = saved[0];
    const at::Tensor& key_weights = saved[1];
    const bool need_qkv = ctx->needs_input_grad(0), need_weights = ctx->needs_input_grad(1);
    if (at::GradMode::is_enabled()) {
      // The gradient will be differentiated again: rebuild it from differentiable ops.
      std::vector<at::Tensor> inputs;
      if (need_qkv) inputs.push_back(qkv);
      if (need_weights) inputs.push_back(key_weights);
      TokenRows rows;
      rows.rows = key_weights.size(0);
      rows.columns = key_weights.size(1);
      rows.token = saved[2];
      rows.slot = saved[3];
      const at::Tensor out = composite(qkv, rows, key_weights, n_head);
      const auto g = torch::autograd::grad({out}, inputs, {grads[0]}, /*retain_graph=*/true, /*create_graph=*/true,
                                           /*allow_unused=*/true);
      return {need_qkv ? g[0] : at::Tensor(), need_weights ? g.back() : at::Tensor(), at::Tensor(), at::Tensor(),
              at::Tensor()};
    }
    AttentionSaved s{qkv, key_weights, saved[2], saved[4], saved[5], saved[6]};
    AttentionGradients g = attention_backward_kernel(s, grads[0], n_head);
    return {need_qkv ? g.qkv : at::Tensor(), need_weights ? g.key_weights : at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor()};
  }
};

}  // namespace

at::Tensor attention_core_composite(const at::Tensor& qkv, const TokenRows& rows, const at::Tensor& key_weights,
                                   int64_t n_head) {
  return composite(qkv, rows, key_weights, n_head);
}

at::Tensor attention_core_fused(const at::Tensor& qkv, const TokenRows& rows, const at::Tensor& key_weights,
                               int64_t n_head) {
  if (!has_attention_kernel(qkv, key_weights)) return composite(qkv, rows, key_weights, n_head);
  return FusedAttention::apply(qkv, key_weights, rows.token, rows.slot, n_head);
}

}  // namespace eqt::models::pet
