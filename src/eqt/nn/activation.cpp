#include "eqt/nn/activation.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "eqt/core/error.h"

namespace eqt::nn {
namespace {

const std::vector<std::pair<std::string, ScalarFunction>>& registry() {
  static const std::vector<std::pair<std::string, ScalarFunction>> functions{
      {"silu", [](const at::Tensor& x) { return at::silu(x); }},
      {"sigmoid", [](const at::Tensor& x) { return at::sigmoid(x); }},
      {"tanh", [](const at::Tensor& x) { return at::tanh(x); }},
      {"relu", [](const at::Tensor& x) { return at::relu(x); }},
      {"gelu", [](const at::Tensor& x) { return at::gelu(x); }},  // exact (erf) form, torch default
      {"abs", [](const at::Tensor& x) { return at::abs(x); }},
      {"smooth_leaky_relu", [](const at::Tensor& x) { return smooth_leaky_relu(x, 0.2); }},
  };
  return functions;
}

// e3nn: torch.randn(1_000_000, generator=torch.Generator().manual_seed(0), dtype=float64).
at::Tensor e3nn_normal_sample() {
  at::Generator generator = at::detail::createCPUGenerator(0);
  return at::randn({1'000'000}, generator, at::TensorOptions().dtype(at::kDouble));
}

}  // namespace

at::Tensor smooth_leaky_relu(const at::Tensor& x, double negative_slope) {
  const double linear = (1.0 + negative_slope) / 2.0;
  const double odd = (1.0 - negative_slope) / 2.0;
  return x * linear + x * (at::sigmoid(x) * 2.0 - 1.0) * odd;
}

ScalarFunction activation_function(const std::string& name) {
  for (const auto& [known, f] : registry()) {
    if (known == name) return f;
  }
  fail("unknown activation '{}' (known: {})", name, fmt::join(activation_names(), ", "));
}

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

double normalize2mom_constant(const ScalarFunction& f) {
  at::NoGradGuard no_grad;
  return f(e3nn_normal_sample()).pow(2).mean().pow(-0.5).item<double>();
}

int activation_parity(const ScalarFunction& f) {
  at::NoGradGuard no_grad;
  const at::Tensor x = at::linspace(0.0, 10.0, 256, at::TensorOptions().dtype(at::kDouble));
  const at::Tensor a1 = f(x);
  const at::Tensor a2 = f(-x);
  if ((a1 - a2).abs().max().item<double>() < 1e-5) return 1;
  if ((a1 + a2).abs().max().item<double>() < 1e-5) return -1;
  return 0;
}

NormalizedActivation::NormalizedActivation(std::string name, ScalarFunction f)
    : name_(std::move(name)), f_(std::move(f)) {
  constant_ = normalize2mom_constant(f_);
  is_identity_ = std::abs(constant_ - 1.0) < 1e-4;
  // e3nn tests the parity of the normalized function; scaling by cst > 0 can only change the
  // verdict through the 1e-5 tolerance, so test it on the normalized values too.
  const double scale = is_identity_ ? 1.0 : constant_;
  const ScalarFunction raw = f_;
  parity_ = activation_parity([raw, scale](const at::Tensor& x) { return raw(x) * scale; });
}

at::Tensor NormalizedActivation::operator()(const at::Tensor& x) const {
  return is_identity_ ? f_(x) : f_(x).mul(constant_);
}

const NormalizedActivation& normalized_activation(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<NormalizedActivation>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[name];
  if (!slot) {
    try {
      slot = std::make_unique<NormalizedActivation>(name, activation_function(name));
    } catch (...) {
      cache.erase(name);
      throw;
    }
  }
  return *slot;
}

}  // namespace eqt::nn
