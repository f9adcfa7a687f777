#include "eqt/so3/equivariance.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "eqt/core/error.h"
#include "eqt/so3/rotation.h"
#include "eqt/so3/wigner_d.h"

namespace eqt::so3 {
namespace {

// max that lets NaN win, so that a NaN output can never pass a tolerance check.
double worst_of(double a, double b) {
  return (std::isnan(a) || std::isnan(b)) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b);
}

// One group element x -> R x + t, R orthogonal (det +-1), in float64 on the CPU.
struct GroupElement {
  at::Tensor rotation;     // [3, 3]
  at::Tensor translation;  // [3]
  std::string description;
};

void check_shape(const at::Tensor& tensor, const Transform& transform, const char* role, std::size_t index) {
  if (transform.kind == Transform::Kind::Invariant) return;
  const int64_t expected = transform.kind == Transform::Kind::Features ? transform.irreps.dim() : 3;
  if (!tensor.defined() || tensor.dim() < 1 || tensor.size(-1) != expected) {
    fail("equivariance_error: {} {} ({}) should have last dimension {}, got shape {}", role, index,
         transform.str(), expected, tensor.defined() ? c10::str(tensor.sizes()) : std::string("undefined"));
  }
}

// g . x in float64.
at::Tensor apply(const GroupElement& g, const Transform& transform, const at::Tensor& x) {
  const auto x64 = x.detach().to(at::kDouble);
  switch (transform.kind) {
    case Transform::Kind::Invariant: return x64;
    case Transform::Kind::CartesianPoints:
      return at::matmul(x64, g.rotation.t().to(x64.device())) + g.translation.to(x64.device());
    case Transform::Kind::Features:
      return at::matmul(x64, irreps_D(transform.irreps, g.rotation).t().to(x64.device()));
  }
  fail("equivariance_error: unknown transform kind");
}

std::vector<at::Tensor> checked_call(const TensorFunction& fn, const std::vector<at::Tensor>& args,
                                     const std::vector<Transform>& transforms_out) {
  auto results = fn(args);
  if (results.size() != transforms_out.size()) {
    fail("equivariance_error: the function returned {} tensors but {} output transforms were given",
         results.size(), transforms_out.size());
  }
  for (std::size_t i = 0; i < results.size(); ++i) check_shape(results[i], transforms_out[i], "output", i);
  return results;
}

// Largest |fn(g x) - g fn(x)| per output for one group element.
std::vector<double> errors_for(const TensorFunction& fn, const GroupElement& g, const std::vector<at::Tensor>& inputs,
                               const std::vector<Transform>& transforms_in,
                               const std::vector<Transform>& transforms_out) {
  std::vector<at::Tensor> moved_inputs;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const bool keep = transforms_in[i].kind == Transform::Kind::Invariant;
    moved_inputs.push_back(keep ? inputs[i] : apply(g, transforms_in[i], inputs[i]).to(inputs[i].scalar_type()));
  }
  const auto of_moved = checked_call(fn, moved_inputs, transforms_out);
  const auto original = checked_call(fn, inputs, transforms_out);
  std::vector<double> errors;
  for (std::size_t i = 0; i < original.size(); ++i) {
    const auto moved_result = apply(g, transforms_out[i], original[i]);
    const auto difference = of_moved[i].detach().to(at::kDouble) - moved_result;
    errors.push_back(difference.numel() == 0 ? 0.0 : difference.abs().max().item<double>());
  }
  return errors;
}

}  // namespace

std::string Transform::str() const {
  switch (kind) {
    case Kind::Features: return irreps.str();
    case Kind::CartesianPoints: return "cartesian points";
    case Kind::Invariant: return "invariant";
  }
  return "?";
}

std::string EquivarianceError::summary() const {
  std::string text = fmt::format("max equivariance error {:.3e} ({})", max_error, worst_case);
  for (std::size_t i = 0; i < per_output.size(); ++i) {
    text += fmt::format("\n  output {}: {:.3e}", i, per_output[i]);
  }
  return text;
}

double default_equivariance_tolerance(c10::ScalarType dtype) {
  return dtype == at::kDouble ? 1e-9 : 1e-3;
}

EquivarianceError equivariance_error(const TensorFunction& fn, const std::vector<at::Tensor>& inputs,
                                     const std::vector<Transform>& transforms_in,
                                     const std::vector<Transform>& transforms_out,
                                     const EquivarianceOptions& options) {
  if (inputs.size() != transforms_in.size()) {
    fail("equivariance_error: {} inputs but {} input transforms", inputs.size(), transforms_in.size());
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) check_shape(inputs[i], transforms_in[i], "input", i);
  const bool has_points = std::any_of(transforms_in.begin(), transforms_in.end(), [](const Transform& t) {
    return t.kind == Transform::Kind::CartesianPoints;
  });
  auto generator = make_cpu_generator(options.seed);
  EquivarianceError result;
  result.per_output.assign(transforms_out.size(), 0.0);
  for (int trial = 0; trial < options.trials; ++trial) {
    for (int parity = 0; parity <= (options.inversion ? 1 : 0); ++parity) {
      for (int translate = 0; translate <= (options.translation && has_points ? 1 : 0); ++translate) {
        GroupElement g;
        g.rotation = random_rotation({}, generator) * (parity == 1 ? -1.0 : 1.0);
        g.translation = translate == 1 ? 10.0 * at::randn({3}, generator, at::kDouble)
                                       : at::zeros({3}, at::kDouble);
        g.description = fmt::format("trial {}, {}{}", trial, parity ? "improper rotation" : "rotation",
                                    translate ? " + translation" : "");
        const auto errors = errors_for(fn, g, inputs, transforms_in, transforms_out);
        for (std::size_t i = 0; i < errors.size(); ++i) {
          result.per_output[i] = worst_of(result.per_output[i], errors[i]);
          if (!std::isnan(result.max_error) && worst_of(result.max_error, errors[i]) != result.max_error) {
            result.max_error = errors[i];
            result.worst_case = fmt::format("output {}, {}", i, g.description);
          }
        }
      }
    }
  }
  return result;
}

std::vector<at::Tensor> random_inputs(const std::vector<Transform>& transforms, int64_t batch, uint64_t seed,
                                      c10::ScalarType dtype) {
  auto generator = make_cpu_generator(seed);
  std::vector<at::Tensor> inputs;
  for (const auto& t : transforms) {
    if (t.kind == Transform::Kind::Invariant) {
      fail("random_inputs: cannot draw an input for an 'invariant' argument; pass the inputs explicitly");
    }
    const int64_t dim = t.kind == Transform::Kind::Features ? t.irreps.dim() : 3;
    inputs.push_back(at::randn({batch, dim}, generator, at::kDouble).to(dtype));
  }
  return inputs;
}

EquivarianceError equivariance_error(const TensorFunction& fn, const std::vector<Transform>& transforms_in,
                                     const std::vector<Transform>& transforms_out,
                                     const EquivarianceOptions& options) {
  // Inputs from a generator seeded apart from the group elements' one.
  const auto inputs = random_inputs(transforms_in, options.batch, options.seed + 0x9e3779b97f4a7c15ULL, options.dtype);
  return equivariance_error(fn, inputs, transforms_in, transforms_out, options);
}

}  // namespace eqt::so3
