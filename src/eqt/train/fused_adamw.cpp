#include "eqt/train/fused_adamw.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>

#include "eqt/core/simd.h"

namespace eqt::train {
namespace {

struct Coefficients {
  double decay, beta1, beta2, root_correction2, eps, step_size;
};

// The operations of LibTorch's AdamW, in its order, on one element at a time. (`omp simd`: the
// arrays never overlap; this file is compiled without errno for square roots, CMakeLists.txt.)
template <typename T>
EQT_INLINE void update_range(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, int64_t i0,
                             int64_t i1, const Coefficients& c) {
  const T decay = T(c.decay), b1 = T(c.beta1), b2 = T(c.beta2), one_b1 = T(1 - c.beta1), one_b2 = T(1 - c.beta2);
  const T root2 = T(c.root_correction2), eps = T(c.eps), minus_step = T(-c.step_size);
#pragma omp simd
  for (int64_t i = i0; i < i1; ++i) {
    const T decayed = p[i] * decay;
    const T m1 = m[i] * b1 + one_b1 * g[i];
    const T v1 = v[i] * b2 + one_b2 * g[i] * g[i];
    m[i] = m1;
    v[i] = v1;
    p[i] = decayed + minus_step * m1 / (std::sqrt(v1) / root2 + eps);
  }
}

EQT_MULTIVERSION void update_range_of(float* p, const float* g, float* m, float* v, int64_t i0, int64_t i1,
                                      const Coefficients& c) {
  update_range(p, g, m, v, i0, i1, c);
}
EQT_MULTIVERSION void update_range_of(double* p, const double* g, double* m, double* v, int64_t i0, int64_t i1,
                                      const Coefficients& c) {
  update_range(p, g, m, v, i0, i1, c);
}

template <typename T>
void update(T* p, const T* g, T* m, T* v, int64_t n, const Coefficients& c) {
  at::parallel_for(0, n, 32768, [&](int64_t i0, int64_t i1) { update_range_of(p, g, m, v, i0, i1, c); });
}

// LibTorch 1.13 keys the optimiser state by the printed address of the parameter's TensorImpl,
// later versions by the address itself.
template <typename Key>
Key state_key(const torch::Tensor& param) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << param.unsafeGetTensorImpl();
    return text.str();
  } else {
    return param.unsafeGetTensorImpl();
  }
}

bool fusable_tensor(const torch::Tensor& t, c10::ScalarType type) {
  return t.device().is_cpu() && !t.is_sparse() && t.scalar_type() == type && t.is_contiguous();
}

}  // namespace

torch::optim::AdamWParamState* FusedAdamW::state_of(const torch::Tensor& param) {
  const auto found = state_.find(state_key<StateKey>(param));
  return found == state_.end() ? nullptr : static_cast<torch::optim::AdamWParamState*>(found->second.get());
}

bool FusedAdamW::fusable(const torch::Tensor& param, const torch::optim::AdamWOptions& options) {
  const auto type = param.scalar_type();
  if (options.amsgrad() || (type != at::kFloat && type != at::kDouble) || !fusable_tensor(param, type) ||
      !fusable_tensor(param.grad(), type)) {
    return false;
  }
  const auto* state = state_of(param);
  return state == nullptr || (fusable_tensor(state->exp_avg(), type) && fusable_tensor(state->exp_avg_sq(), type));
}

void FusedAdamW::fused_step(const torch::Tensor& param, const torch::optim::AdamWOptions& options) {
  auto* state = state_of(param);
  if (state == nullptr) {  // as LibTorch initialises it
    auto fresh = std::make_unique<torch::optim::AdamWParamState>();
    fresh->step(0);
    fresh->exp_avg(torch::zeros_like(param, at::MemoryFormat::Preserve));
    fresh->exp_avg_sq(torch::zeros_like(param, at::MemoryFormat::Preserve));
    state = fresh.get();
    state_[state_key<StateKey>(param)] = std::move(fresh);
  }
  state->step(state->step() + 1);
  const auto [beta1, beta2] = options.betas();
  const double correction1 = 1 - std::pow(beta1, state->step());
  const double correction2 = 1 - std::pow(beta2, state->step());
  const Coefficients c{1 - options.lr() * options.weight_decay(), beta1, beta2, std::sqrt(correction2),
                       options.eps(), options.lr() / correction1};
  const torch::Tensor& grad = param.grad();
  AT_DISPATCH_FLOATING_TYPES(param.scalar_type(), "fused_adamw", [&] {
    update(param.data_ptr<scalar_t>(), grad.data_ptr<scalar_t>(), state->exp_avg().data_ptr<scalar_t>(),
           state->exp_avg_sq().data_ptr<scalar_t>(), param.numel(), c);
  });
}

torch::Tensor FusedAdamW::step(LossClosure closure) {
  bool all = closure == nullptr;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    for (const auto& p : group.params()) {
      if (all && p.grad().defined() && !fusable(p, options)) all = false;
    }
  }
  if (!all) return torch::optim::AdamW::step(closure);
  torch::NoGradGuard no_grad;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    for (const auto& p : group.params()) {
      if (p.grad().defined()) fused_step(p, options);
    }
  }
  return {};
}

}  // namespace eqt::train
