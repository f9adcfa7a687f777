#include "eqt/models/equiformer/layers/graph_norm.h"

#include "eqt/core/error.h"

namespace eqt::models::equiformer {
namespace {

void check_batch(const at::Tensor& batch, int64_t num_nodes, const char* norm_name) {
  if (!batch.defined() || batch.dim() != 1 || batch.size(0) != num_nodes ||
      batch.scalar_type() != at::kLong) {
    fail("{}: needs batch = int64 [{}] graph index per node, got {}", norm_name, num_nodes,
         batch.defined() ? c10::str(batch.scalar_type(), " ", batch.sizes())
                         : std::string("undefined"));
  }
}

int64_t count_graphs(const at::Tensor& batch) {
  return batch.numel() == 0 ? 0 : batch.max().item<int64_t>() + 1;
}

// Per-graph mean of values [N, ...] -> [G, ...]; empty graphs give 0.
at::Tensor graph_mean(const at::Tensor& values, const at::Tensor& batch, int64_t num_graphs) {
  auto shape = values.sizes().vec();
  shape[0] = num_graphs;
  const auto sums = at::zeros(shape, values.options()).index_add(0, batch, values);
  auto counts = at::bincount(batch, {}, num_graphs).clamp_min(1).to(values.scalar_type());
  std::vector<int64_t> count_shape(values.dim(), 1);
  count_shape[0] = num_graphs;
  return sums / counts.reshape(count_shape);
}

// Per-graph maximum of values [N, C] -> [G, C]; empty graphs give 0.
at::Tensor graph_max(const at::Tensor& values, const at::Tensor& batch, int64_t num_graphs) {
  const auto index = batch.unsqueeze(1).expand_as(values);
  return at::zeros({num_graphs, values.size(1)}, values.options())
      .scatter_reduce(0, index, values, "amax", /*include_self=*/false);
}

}  // namespace

EquivariantInstanceNorm::EquivariantInstanceNorm(so3::Irreps irreps, double eps, bool affine,
                                                 GraphReduce reduce,
                                                 NormNormalization normalization,
                                                 c10::ScalarType dtype)
    : AffineEquivariantNorm(std::move(irreps), eps, affine, normalization, dtype),
      reduce_(reduce) {}

at::Tensor EquivariantInstanceNorm::forward(const at::Tensor& x, const at::Tensor& batch) {
  check_input(x, "EquivariantInstanceNorm");
  const int64_t num_nodes = x.size(0);
  check_batch(batch, num_nodes, "EquivariantInstanceNorm");
  const int64_t num_graphs = count_graphs(batch);
  std::vector<at::Tensor> outputs;
  int64_t copy_offset = 0;
  int64_t scalar_offset = 0;
  for (const auto& block : blocks()) {
    auto field =
        x.narrow(1, block.start, block.mul * block.dim).reshape({num_nodes, block.mul, block.dim});
    if (block.scalar) {
      auto node_mean = graph_mean(field, batch, num_graphs).index_select(0, batch);
      const auto shift = centring_shift(scalar_offset, block.mul);
      if (shift.defined()) node_mean = node_mean * shift.reshape({1, block.mul, 1});
      field = field - node_mean;
    }
    const auto sizes = squared_size(field);  // [N, mul]
    const auto per_graph = reduce_ == GraphReduce::Mean ? graph_mean(sizes, batch, num_graphs)
                                                        : graph_max(sizes, batch, num_graphs);
    const auto inv_scale = (per_graph + eps()).pow(-0.5).index_select(0, batch);  // [N, mul]
    outputs.push_back(rescale(field, inv_scale, block, copy_offset, scalar_offset)
                          .reshape({num_nodes, block.mul * block.dim}));
    copy_offset += block.mul;
    if (block.scalar) scalar_offset += block.mul;
  }
  return at::cat(outputs, 1);
}

EquivariantGraphNorm::EquivariantGraphNorm(so3::Irreps irreps, double eps, bool affine,
                                           GraphReduce reduce, NormNormalization normalization,
                                           c10::ScalarType dtype)
    : EquivariantInstanceNorm(std::move(irreps), eps, affine, reduce, normalization, dtype) {
  const int64_t num_scalar = this->irreps().count(so3::Irrep(0, 1));
  mean_shift =
      register_parameter("mean_shift", at::ones({num_scalar}, at::TensorOptions().dtype(dtype)));
}

at::Tensor EquivariantGraphNorm::centring_shift(int64_t scalar_offset, int64_t mul) const {
  return mean_shift.narrow(0, scalar_offset, mul);
}

}  // namespace eqt::models::equiformer
