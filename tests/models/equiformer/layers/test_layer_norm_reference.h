#pragma once
// Loop-by-loop evaluation of the equivariant norms in plain double arithmetic, written from the
// formulas (README 'Building blocks', nets/*norm*.py semantics), independent of the ATen code.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::testing {

enum class StatScope {
  Node,
  Graph
};  // layer norm: per node over copies; graph/instance: per graph per copy

struct NormSpec {
  StatScope scope = StatScope::Node;
  bool use_max = false;            // graph scope: max instead of mean over nodes
  std::vector<double> weight;      // per copy (num_irreps); empty = 1
  std::vector<double> bias;        // per 0e copy; empty = 0
  std::vector<double> mean_shift;  // per 0e copy; empty = 1
  double eps = 1e-5;
};

inline at::Tensor reference_norm(const at::Tensor& input, const so3::Irreps& irreps,
                                 const std::vector<int64_t>& batch, const NormSpec& spec) {
  const auto x = input.to(at::kDouble).contiguous();
  const int64_t N = x.size(0), D = x.size(1);
  const double* px = x.data_ptr<double>();
  auto out = at::zeros_like(x);
  double* po = out.data_ptr<double>();
  const int64_t G = batch.empty() ? 0 : *std::max_element(batch.begin(), batch.end()) + 1;
  const auto at_ = [&](int64_t n, int64_t col) { return px[n * D + col]; };
  int64_t copy0 = 0, scalar0 = 0;
  for (std::size_t b = 0; b < irreps.size(); ++b) {
    const int64_t mul = irreps[b].mul, d = irreps[b].ir.dim(), start = irreps.slices()[b].first;
    const bool scalar = irreps[b].ir.is_scalar();
    // centred[n][u][m]
    std::vector<std::vector<std::vector<double>>> c(
        N, std::vector<std::vector<double>>(mul, std::vector<double>(d)));
    for (int64_t n = 0; n < N; ++n)
      for (int64_t u = 0; u < mul; ++u)
        for (int64_t m = 0; m < d; ++m) c[n][u][m] = at_(n, start + u * d + m);
    if (scalar && spec.scope == StatScope::Node) {
      for (int64_t n = 0; n < N; ++n) {
        double mean = 0.0;
        for (int64_t u = 0; u < mul; ++u) mean += c[n][u][0] / mul;
        for (int64_t u = 0; u < mul; ++u) c[n][u][0] -= mean;
      }
    }
    if (scalar && spec.scope == StatScope::Graph) {
      for (int64_t g = 0; g < G; ++g)
        for (int64_t u = 0; u < mul; ++u) {
          double sum = 0.0, count = 0.0;
          for (int64_t n = 0; n < N; ++n) {
            if (batch[n] != g) continue;
            sum += at_(n, start + u);
            count += 1.0;
          }
          const double shift = spec.mean_shift.empty() ? 1.0 : spec.mean_shift[scalar0 + u];
          for (int64_t n = 0; n < N; ++n)
            if (batch[n] == g) c[n][u][0] -= shift * sum / std::max(count, 1.0);
        }
    }
    const auto msq = [&](int64_t n, int64_t u) {
      double s = 0.0;
      for (int64_t m = 0; m < d; ++m) s += c[n][u][m] * c[n][u][m] / d;
      return s;
    };
    for (int64_t n = 0; n < N; ++n)
      for (int64_t u = 0; u < mul; ++u) {
        double stat = 0.0;
        if (spec.scope == StatScope::Node) {
          for (int64_t v = 0; v < mul; ++v) stat += msq(n, v) / mul;
        } else {
          double count = 0.0;
          for (int64_t k = 0; k < N; ++k)
            if (batch[k] == batch[n]) {
              stat = spec.use_max ? std::max(stat, msq(k, u)) : stat + msq(k, u);
              count += 1.0;
            }
          if (!spec.use_max) stat /= count;
        }
        const double w = spec.weight.empty() ? 1.0 : spec.weight[copy0 + u];
        const double bias = scalar && !spec.bias.empty() ? spec.bias[scalar0 + u] : 0.0;
        for (int64_t m = 0; m < d; ++m)
          po[n * D + start + u * d + m] = c[n][u][m] / std::sqrt(stat + spec.eps) * w + bias;
      }
    copy0 += mul;
    if (scalar) scalar0 += mul;
  }
  return out;
}

inline std::vector<double> to_std_vector(const at::Tensor& t) {
  const auto c = t.detach().contiguous().to(at::kDouble);
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}

// Applies a random orthogonal matrix per l (the same for every copy of that l) to the features:
// what the norms must commute with, since they only see per-copy squared norms (and 0e values).
inline at::Tensor transform_copies(const at::Tensor& x, const so3::Irreps& irreps,
                                   const std::vector<at::Tensor>& orthogonal_by_l) {
  std::vector<at::Tensor> parts;
  const auto slices = irreps.slices();
  for (std::size_t b = 0; b < irreps.size(); ++b) {
    const int64_t mul = irreps[b].mul, d = irreps[b].ir.dim();
    auto block = x.narrow(1, slices[b].first, mul * d).reshape({x.size(0), mul, d});
    if (irreps[b].ir.l > 0)
      block = at::matmul(block, orthogonal_by_l.at(irreps[b].ir.l).t().to(x.dtype()));
    parts.push_back(block.reshape({x.size(0), mul * d}));
  }
  return at::cat(parts, 1);
}

inline std::vector<at::Tensor> random_orthogonal_by_l(int lmax) {
  std::vector<at::Tensor> out(lmax + 1);
  for (int l = 1; l <= lmax; ++l) {
    const auto q = std::get<0>(
        at::linalg_qr(at::randn({2 * l + 1, 2 * l + 1}, at::TensorOptions().dtype(at::kDouble))));
    out[l] = q;  // det may be +-1: reflections are covered too
  }
  return out;
}

}  // namespace eqt::testing
