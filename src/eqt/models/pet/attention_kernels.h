#pragma once
// Hand-written CPU kernels of PET's fused cutoff attention (attention_core.h): one pass per
// centre's row for the forward, one for the backward. float32 / float64.
#include <ATen/ATen.h>

namespace eqt::models::pet {

// Same constant as the official renormalisation.
constexpr double kAttentionRenormEps = 1e-15;

struct AttentionForward {
  at::Tensor out;            // [M, D]
  at::Tensor probabilities;  // [N, H, T, T] softmax over keys (0 for padding queries)
  at::Tensor weights;        // [N, H, T, T] the re-weighted, renormalised attention
  at::Tensor inverse_norms;  // [N, H, T] 1 / (sum_k p_k w_k + eps)
};

struct AttentionSaved {
  at::Tensor qkv, key_weights, token, probabilities, weights, inverse_norms;
};

struct AttentionGradients {
  at::Tensor qkv;          // [M, 3 D]
  at::Tensor key_weights;  // [N, T]
};

bool has_attention_kernel(const at::Tensor& qkv, const at::Tensor& key_weights);
// qkv [M, 3 D], key_weights [N, T], token int64 [N * T] (-1 on padding).
AttentionForward attention_forward_kernel(const at::Tensor& qkv, const at::Tensor& key_weights,
                                          const at::Tensor& token, int64_t n_head);
AttentionGradients attention_backward_kernel(const AttentionSaved& saved, const at::Tensor& grad_out, int64_t n_head);

}  // namespace eqt::models::pet
