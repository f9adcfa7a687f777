#include "eqt/models/equiformer/layers/drop.h"

#include "eqt/core/error.h"

namespace eqt::models::equiformer {
namespace {

void check_probability(double p, const char* what) {
  if (!(p >= 0.0 && p < 1.0)) fail("{}: drop probability must be in [0, 1), got {}", what, p);
}

void check_features(const at::Tensor& x, const so3::Irreps& irreps, const char* what) {
  if (!x.defined() || x.dim() < 1 || x.size(-1) != irreps.dim()) {
    fail("{}: expected features [..., {}] for irreps {}, got {}", what, irreps.dim(), irreps.str(),
         x.defined() ? c10::str(x.sizes()) : std::string("undefined"));
  }
}

}  // namespace

at::Tensor drop_path(const at::Tensor& x, double drop_prob, bool training) {
  if (drop_prob == 0.0 || !training) return x;
  check_probability(drop_prob, "drop_path");
  const double keep = 1.0 - drop_prob;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  // floor(keep + U[0,1)) is 1 with probability keep.
  const auto keep_mask = (at::rand(shape, x.options()) + keep).floor_();
  return x.div(keep) * keep_mask;
}

DropPath::DropPath(double drop_prob) : drop_prob_(drop_prob) {
  check_probability(drop_prob, "DropPath");
}

at::Tensor DropPath::forward(const at::Tensor& x) {
  return drop_path(x, drop_prob_, is_training());
}

GraphDropPath::GraphDropPath(double drop_prob) : drop_prob_(drop_prob) {
  check_probability(drop_prob, "GraphDropPath");
}

at::Tensor GraphDropPath::forward(const at::Tensor& x, const at::Tensor& batch) {
  if (drop_prob_ == 0.0 || !is_training()) return x;
  if (!batch.defined() || batch.dim() != 1 || batch.size(0) != x.size(0)) {
    fail("GraphDropPath: batch must be [{}] (one graph index per row of x)", x.size(0));
  }
  const int64_t num_graphs = batch.numel() == 0 ? 0 : batch.max().item<int64_t>() + 1;
  std::vector<int64_t> shape(x.dim(), 1);
  shape[0] = num_graphs;
  const auto per_graph = drop_path(at::ones(shape, x.options()), drop_prob_, true);
  return x * per_graph.index_select(0, batch);
}

EquivariantDropout::EquivariantDropout(so3::Irreps irreps, double drop_prob)
    : irreps_(std::move(irreps)), drop_prob_(drop_prob) {
  check_probability(drop_prob, "EquivariantDropout");
  int64_t copy = 0;
  for (const auto& item : irreps_) {
    for (int u = 0; u < item.mul; ++u, ++copy) {
      copy_of_column_.insert(copy_of_column_.end(), item.ir.dim(), copy);
    }
  }
}

at::Tensor EquivariantDropout::forward(const at::Tensor& x) {
  if (!is_training() || drop_prob_ == 0.0) return x;
  check_features(x, irreps_, "EquivariantDropout");
  auto mask_shape = x.sizes().vec();
  mask_shape.back() = irreps_.num_irreps();
  const auto mask = at::dropout(at::ones(mask_shape, x.options()), drop_prob_, /*train=*/true);
  const auto columns = at::tensor(copy_of_column_, x.options().dtype(at::kLong));
  return x * mask.index_select(-1, columns);
}

EquivariantScalarsDropout::EquivariantScalarsDropout(so3::Irreps irreps, double drop_prob)
    : irreps_(std::move(irreps)), drop_prob_(drop_prob) {
  check_probability(drop_prob, "EquivariantScalarsDropout");
}

at::Tensor EquivariantScalarsDropout::forward(const at::Tensor& x) {
  if (!is_training() || drop_prob_ == 0.0) return x;
  check_features(x, irreps_, "EquivariantScalarsDropout");
  std::vector<at::Tensor> parts;
  for (const auto& [start, stop] : irreps_.slices()) {
    parts.push_back(x.narrow(-1, start, stop - start));
  }
  for (std::size_t i = 0; i < irreps_.size(); ++i) {
    if (irreps_[i].ir.is_scalar()) parts[i] = at::dropout(parts[i], drop_prob_, /*train=*/true);
  }
  return at::cat(parts, -1);
}

}  // namespace eqt::models::equiformer
