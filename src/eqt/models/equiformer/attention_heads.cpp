#include "eqt/models/equiformer/attention_heads.h"

#include <vector>

#include "eqt/core/error.h"

namespace eqt::models::equiformer {

namespace {

// For head h and position c within the head, the column of the flat [H*head_dim] vector.
std::vector<int64_t> head_columns(const so3::Irreps& irreps_head, int num_heads) {
  const int64_t head_dim = irreps_head.dim();
  std::vector<int64_t> columns(num_heads * head_dim);
  int64_t block_start = 0;  // start of block b in the flat (mul*H copies) layout
  int64_t head_offset = 0;  // start of block b within one head
  for (const auto& block : irreps_head) {
    const int64_t width = block.mul * block.ir.dim();
    for (int h = 0; h < num_heads; ++h) {
      for (int64_t c = 0; c < width; ++c) columns[h * head_dim + head_offset + c] = block_start + h * width + c;
    }
    block_start += width * num_heads;
    head_offset += width;
  }
  return columns;
}

std::vector<so3::Irrep> copies(const so3::Irreps& irreps, int repeat) {
  std::vector<so3::Irrep> result;
  for (const auto& block : irreps) result.insert(result.end(), static_cast<std::size_t>(block.mul) * repeat, block.ir);
  return result;
}

}  // namespace

HeadSplit::HeadSplit(const so3::Irreps& irreps_head, int num_heads, const so3::Irreps& irreps_input)
    : num_heads_(num_heads), head_dim_(irreps_head.dim()) {
  if (copies(irreps_head, num_heads) != copies(irreps_input, 1)) {
    fail("Equiformer attention: features {} cannot be split into {} heads of {}; order the blocks of "
         "irreps_head as the layer sorts them (graph attention: even parity first, dot product: odd first)",
         irreps_input.str(), num_heads, irreps_head.str());
  }
  index_slot_ = constants_.add(at::tensor(head_columns(irreps_head, num_heads), at::kLong));
}

at::Tensor HeadSplit::operator()(const at::Tensor& x) const {
  return x.index_select(1, constants_.get(index_slot_, x)).view({x.size(0), num_heads_, head_dim_});
}

HeadMerge::HeadMerge(const so3::Irreps& irreps_head, int num_heads) : dim_(irreps_head.dim() * num_heads) {
  const auto columns = head_columns(irreps_head, num_heads);
  std::vector<int64_t> inverse(columns.size());
  for (std::size_t k = 0; k < columns.size(); ++k) inverse[columns[k]] = static_cast<int64_t>(k);
  index_slot_ = constants_.add(at::tensor(inverse, at::kLong));
}

at::Tensor HeadMerge::operator()(const at::Tensor& x) const {
  return x.reshape({x.size(0), dim_}).index_select(1, constants_.get(index_slot_, x));
}

at::Tensor attention_weights(const at::Tensor& logits, const at::Tensor& dst, int64_t num_nodes) {
  const at::Tensor index = dst.unsqueeze(1).expand_as(logits);
  const at::Tensor detached = logits.detach();
  const at::Tensor maxima =
      at::zeros({num_nodes, logits.size(1)}, logits.options()).scatter_reduce(0, index, detached, "amax", false);
  const at::Tensor exps = (logits - maxima.index_select(0, dst)).exp();
  const at::Tensor sums = at::zeros({num_nodes, logits.size(1)}, logits.options()).index_add(0, dst, exps);
  return exps / (sums.index_select(0, dst) + 1e-16);
}

at::Tensor aggregate_heads(const at::Tensor& value, const at::Tensor& weight, const at::Tensor& dst,
                           int64_t num_nodes) {
  const at::Tensor messages = value * weight.unsqueeze(-1);
  return at::zeros({num_nodes, value.size(1), value.size(2)}, value.options()).index_add(0, dst, messages);
}

}  // namespace eqt::models::equiformer
