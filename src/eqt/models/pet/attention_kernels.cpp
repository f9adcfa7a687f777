#include "eqt/models/pet/attention_kernels.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "eqt/kernels/row_product.h"

namespace eqt::models::pet {
namespace {

using kernels::row_product;

struct Shape {
  int64_t rows, slots, padded, heads, d_head, d_model;  // N, T, T rounded up to 8, H, d_head, D
};

Shape shape_of(const at::Tensor& qkv, const at::Tensor& key_weights, int64_t n_head) {
  const int64_t d = qkv.size(1) / 3, t = key_weights.size(1);
  return {key_weights.size(0), t, (t + 7) / 8 * 8, n_head, d / n_head, d};
}

// One head of one row, gathered from the packed tokens into small dense blocks: x [T, d_head]
// (zero rows on padding) and its transpose [d_head, padded T] (zero columns past T).
template <typename T>
struct HeadBlock {
  std::vector<T> rows, columns;
  explicit HeadBlock(const Shape& s) : rows(s.slots * s.d_head), columns(s.d_head * s.padded, T(0)) {}

  // part: 0 q, 1 k, 2 v of a [M, 3 D] tensor; or the head's columns of an [M, D] tensor (part 0,
  // stride D).
  void gather(const T* packed, int64_t stride, int64_t offset, const int64_t* token, const Shape& s) {
    for (int64_t j = 0; j < s.slots; ++j) {
      T* row = rows.data() + j * s.d_head;
      if (token[j] < 0) {
        std::fill(row, row + s.d_head, T(0));
      } else {
        std::copy(packed + token[j] * stride + offset, packed + token[j] * stride + offset + s.d_head, row);
      }
      for (int64_t r = 0; r < s.d_head; ++r) columns[r * s.padded + j] = row[r];
    }
  }
};

// probabilities p (softmax of the scores over the T keys) and the re-weighted attention a for one
// query; returns 1 / (sum p w + eps).
template <typename T>
EQT_INLINE T attention_row(const T* scores, const T* key_weights, int64_t slots, T* p, T* a) {
  T largest = -std::numeric_limits<T>::infinity();
  for (int64_t j = 0; j < slots; ++j) largest = std::max(largest, scores[j]);
  T total = 0;
  for (int64_t j = 0; j < slots; ++j) {
    p[j] = std::exp(scores[j] - largest);
    total += p[j];
  }
  T weighted = 0;
  for (int64_t j = 0; j < slots; ++j) {
    p[j] /= total;
    a[j] = p[j] * key_weights[j];
    weighted += a[j];
  }
  const T inverse = T(1) / (weighted + T(kAttentionRenormEps));
  for (int64_t j = 0; j < slots; ++j) a[j] *= inverse;
  return inverse;
}

template <typename T>
EQT_INLINE void forward_rows(const T* qkv, const T* key_weights, const int64_t* token, T* out, T* prob, T* attn,
                             T* inv, const Shape& s, int64_t n0, int64_t n1) {
  const T scale = T(1) / std::sqrt(T(s.d_head));
  HeadBlock<T> q(s), k(s), v(s);
  std::vector<T> scores(s.padded), mixed(s.d_head);
  for (int64_t n = n0; n < n1; ++n) {
    const int64_t* row_tokens = token + n * s.slots;
    const T* w = key_weights + n * s.slots;
    for (int64_t h = 0; h < s.heads; ++h) {
      q.gather(qkv, 3 * s.d_model, h * s.d_head, row_tokens, s);
      k.gather(qkv, 3 * s.d_model, s.d_model + h * s.d_head, row_tokens, s);
      v.gather(qkv, 3 * s.d_model, 2 * s.d_model + h * s.d_head, row_tokens, s);
      const int64_t base = (n * s.heads + h) * s.slots;
      for (int64_t i = 0; i < s.slots; ++i) {
        if (row_tokens[i] < 0) continue;
        row_product(q.rows.data() + i * s.d_head, k.columns.data(), s.padded, s.d_head, s.padded, scores.data());
        for (int64_t j = 0; j < s.slots; ++j) scores[j] *= scale;
        T* p = prob + (base + i) * s.slots;
        T* a = attn + (base + i) * s.slots;
        inv[base + i] = attention_row(scores.data(), w, s.slots, p, a);
        row_product(a, v.rows.data(), s.d_head, s.slots, s.d_head, mixed.data());
        std::copy(mixed.begin(), mixed.end(), out + row_tokens[i] * s.d_model + h * s.d_head);
      }
    }
  }
}

template <typename T>
EQT_INLINE void backward_rows(const T* qkv, const T* key_weights, const int64_t* token, const T* prob, const T* attn,
                              const T* inv, const T* grad_out, T* grad_qkv, T* grad_weights, const Shape& s, int64_t n0,
                              int64_t n1) {
  const T scale = T(1) / std::sqrt(T(s.d_head));
  HeadBlock<T> q(s), k(s), v(s), g(s);
  // Per row: gradients of the scores (gs) and the attention (transposed: keys x queries).
  std::vector<T> gs_t(s.slots * s.slots), a_t(s.slots * s.slots), ga(s.padded), gs(s.slots), out(s.d_head);
  for (int64_t n = n0; n < n1; ++n) {
    const int64_t* row_tokens = token + n * s.slots;
    const T* w = key_weights + n * s.slots;
    T* gw = grad_weights + n * s.slots;
    std::fill(gw, gw + s.slots, T(0));
    for (int64_t h = 0; h < s.heads; ++h) {
      q.gather(qkv, 3 * s.d_model, h * s.d_head, row_tokens, s);
      k.gather(qkv, 3 * s.d_model, s.d_model + h * s.d_head, row_tokens, s);
      v.gather(qkv, 3 * s.d_model, 2 * s.d_model + h * s.d_head, row_tokens, s);
      g.gather(grad_out, s.d_model, h * s.d_head, row_tokens, s);
      std::fill(gs_t.begin(), gs_t.end(), T(0));
      std::fill(a_t.begin(), a_t.end(), T(0));
      const int64_t base = (n * s.heads + h) * s.slots;
      for (int64_t i = 0; i < s.slots; ++i) {
        if (row_tokens[i] < 0) continue;
        const T* p = prob + (base + i) * s.slots;
        const T* a = attn + (base + i) * s.slots;
        row_product(g.rows.data() + i * s.d_head, v.columns.data(), s.padded, s.d_head, s.padded, ga.data());
        T ga_a = 0;
        for (int64_t j = 0; j < s.slots; ++j) ga_a += ga[j] * a[j];
        T gp_p = 0;
        for (int64_t j = 0; j < s.slots; ++j) {
          const T gu = (ga[j] - ga_a) * inv[base + i];  // d/d(p_j w_j)
          gw[j] += gu * p[j];
          gs[j] = gu * w[j];  // d/dp_j for now
          gp_p += gs[j] * p[j];
        }
        for (int64_t j = 0; j < s.slots; ++j) {
          gs[j] = p[j] * (gs[j] - gp_p) * scale;
          gs_t[j * s.slots + i] = gs[j];
          a_t[j * s.slots + i] = a[j];
        }
        row_product(gs.data(), k.rows.data(), s.d_head, s.slots, s.d_head, out.data());
        std::copy(out.begin(), out.end(), grad_qkv + row_tokens[i] * 3 * s.d_model + h * s.d_head);
      }
      for (int64_t j = 0; j < s.slots; ++j) {
        if (row_tokens[j] < 0) continue;
        T* gj = grad_qkv + row_tokens[j] * 3 * s.d_model + h * s.d_head;
        row_product(gs_t.data() + j * s.slots, q.rows.data(), s.d_head, s.slots, s.d_head, out.data());
        std::copy(out.begin(), out.end(), gj + s.d_model);
        row_product(a_t.data() + j * s.slots, g.rows.data(), s.d_head, s.slots, s.d_head, out.data());
        std::copy(out.begin(), out.end(), gj + 2 * s.d_model);
      }
    }
  }
}

EQT_MULTIVERSION void forward_range(const float* qkv, const float* w, const int64_t* token, float* out, float* p,
                                    float* a, float* inv, const Shape& s, int64_t n0, int64_t n1) {
  forward_rows(qkv, w, token, out, p, a, inv, s, n0, n1);
}
EQT_MULTIVERSION void forward_range(const double* qkv, const double* w, const int64_t* token, double* out, double* p,
                                    double* a, double* inv, const Shape& s, int64_t n0, int64_t n1) {
  forward_rows(qkv, w, token, out, p, a, inv, s, n0, n1);
}
EQT_MULTIVERSION void backward_range(const float* qkv, const float* w, const int64_t* token, const float* p,
                                     const float* a, const float* inv, const float* go, float* gqkv, float* gw,
                                     const Shape& s, int64_t n0, int64_t n1) {
  backward_rows(qkv, w, token, p, a, inv, go, gqkv, gw, s, n0, n1);
}
EQT_MULTIVERSION void backward_range(const double* qkv, const double* w, const int64_t* token, const double* p,
                                     const double* a, const double* inv, const double* go, double* gqkv, double* gw,
                                     const Shape& s, int64_t n0, int64_t n1) {
  backward_rows(qkv, w, token, p, a, inv, go, gqkv, gw, s, n0, n1);
}

// Rows per parallel chunk: enough work to pay for handing it to another thread.
int64_t grain(const Shape& s) {
  return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, s.heads * s.slots * s.slots * s.d_head));
}

}  // namespace

bool has_attention_kernel(const at::Tensor& qkv, const at::Tensor& key_weights) {
  const auto type = qkv.scalar_type();
  return qkv.device().is_cpu() && key_weights.device().is_cpu() && type == key_weights.scalar_type() &&
         (type == at::kFloat || type == at::kDouble) && qkv.dim() == 2 && key_weights.dim() == 2;
}

AttentionForward attention_forward_kernel(const at::Tensor& qkv_in, const at::Tensor& weights_in,
                                          const at::Tensor& token_in, int64_t n_head) {
  const at::Tensor qkv = qkv_in.contiguous(), key_weights = weights_in.contiguous(), token = token_in.contiguous();
  const Shape s = shape_of(qkv, key_weights, n_head);
  AttentionForward f;
  f.out = at::empty({qkv.size(0), s.d_model}, qkv.options());
  f.probabilities = at::zeros({s.rows, s.heads, s.slots, s.slots}, qkv.options());
  f.weights = at::zeros_like(f.probabilities);
  f.inverse_norms = at::zeros({s.rows, s.heads, s.slots}, qkv.options());
  AT_DISPATCH_FLOATING_TYPES(qkv.scalar_type(), "pet_attention_forward", [&] {
    at::parallel_for(0, s.rows, grain(s), [&](int64_t n0, int64_t n1) {
      forward_range(qkv.data_ptr<scalar_t>(), key_weights.data_ptr<scalar_t>(), token.data_ptr<int64_t>(),
                    f.out.data_ptr<scalar_t>(), f.probabilities.data_ptr<scalar_t>(), f.weights.data_ptr<scalar_t>(),
                    f.inverse_norms.data_ptr<scalar_t>(), s, n0, n1);
    });
  });
  return f;
}

AttentionGradients attention_backward_kernel(const AttentionSaved& saved, const at::Tensor& grad_out_in,
                                             int64_t n_head) {
  const at::Tensor qkv = saved.qkv.contiguous(), key_weights = saved.key_weights.contiguous();
  const at::Tensor grad_out = grad_out_in.contiguous();
  const Shape s = shape_of(qkv, key_weights, n_head);
  AttentionGradients g;
  g.qkv = at::empty_like(qkv);  // every real token's q, k and v columns are written
  g.key_weights = at::empty_like(key_weights);
  AT_DISPATCH_FLOATING_TYPES(qkv.scalar_type(), "pet_attention_backward", [&] {
    at::parallel_for(0, s.rows, grain(s), [&](int64_t n0, int64_t n1) {
      backward_range(qkv.data_ptr<scalar_t>(), key_weights.data_ptr<scalar_t>(), saved.token.data_ptr<int64_t>(),
                     saved.probabilities.data_ptr<scalar_t>(), saved.weights.data_ptr<scalar_t>(),
                     saved.inverse_norms.data_ptr<scalar_t>(), grad_out.data_ptr<scalar_t>(),
                     g.qkv.data_ptr<scalar_t>(), g.key_weights.data_ptr<scalar_t>(), s, n0, n1);
    });
  });
  return g;
}

}  // namespace eqt::models::pet
