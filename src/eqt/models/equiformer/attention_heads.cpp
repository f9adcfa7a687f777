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

bool is_identity(const std::vector<int64_t>& columns) {
  for (std::size_t k = 0; k < columns.size(); ++k) {
    if (columns[k] != static_cast<int64_t>(k)) return false;
  }
  return true;
}

std::vector<so3::Irrep> copies(const so3::Irreps& irreps, int repeat) {
  std::vector<so3::Irrep> result;
  for (const auto& block : irreps) result.insert(result.end(), static_cast<std::size_t>(block.mul) * repeat, block.ir);
  return result;
}

}  // namespace

HeadSplit::HeadSplit(const so3::Irreps& irreps_head, int num_heads, const so3::Irreps& irreps_input)
    : num_heads_(num_heads), head_dim_(irreps_head.dim()), irreps_head_(irreps_head), irreps_input_(irreps_input) {
  if (copies(irreps_head, num_heads) != copies(irreps_input, 1)) {
    fail("Equiformer attention: features {} cannot be split into {} heads of {}; order the blocks of "
         "irreps_head as the layer sorts them (graph attention: even parity first, dot product: odd first)",
         irreps_input.str(), num_heads, irreps_head.str());
  }
  const auto columns = head_columns(irreps_head, num_heads);
  identity_ = is_identity(columns);
  index_slot_ = constants_.add(at::tensor(columns, at::kLong));
}

at::Tensor HeadSplit::operator()(const at::Tensor& x) const {
  if (identity_) return x.reshape({x.size(0), num_heads_, head_dim_});
  return x.index_select(1, constants_.get(index_slot_, x)).view({x.size(0), num_heads_, head_dim_});
}

at::Tensor HeadSplit::operator()(const nn::IrrepMajor& x) const {
  // Within an irrep's part the channels of head h are h*mul .. h*mul+mul-1 (the constructor checked
  // the block order), so a head's block is part[:, :, h*mul:(h+1)*mul] read channel-major.
  if (nn::distinct_irreps(irreps_head_).size() != irreps_head_.size()) {
    return (*this)(nn::from_irrep_major(irreps_input_, x));
  }
  const int64_t rows = x.batch();
  std::vector<at::Tensor> pieces;
  for (const auto& block : irreps_head_) {
    const at::Tensor part = x.part(block.ir);
    pieces.push_back(part.view({rows, block.ir.dim(), num_heads_, block.mul})
                         .permute({0, 2, 3, 1})
                         .reshape({rows, num_heads_, block.dim()}));
  }
  return pieces.size() == 1 ? pieces.front() : at::cat(pieces, 2);
}

HeadMerge::HeadMerge(const so3::Irreps& irreps_head, int num_heads) : dim_(irreps_head.dim() * num_heads) {
  const auto columns = head_columns(irreps_head, num_heads);
  std::vector<int64_t> inverse(columns.size());
  for (std::size_t k = 0; k < columns.size(); ++k) inverse[columns[k]] = static_cast<int64_t>(k);
  identity_ = is_identity(inverse);
  index_slot_ = constants_.add(at::tensor(inverse, at::kLong));
}

at::Tensor HeadMerge::operator()(const at::Tensor& x) const {
  if (identity_) return x.reshape({x.size(0), dim_});
  return x.reshape({x.size(0), dim_}).index_select(1, constants_.get(index_slot_, x));
}

at::Tensor attention_weights(const at::Tensor& logits, const at::Tensor& dst, int64_t num_nodes,
                             const at::Tensor& cutoff) {
  const at::Tensor index = dst.unsqueeze(1).expand_as(logits);
  const at::Tensor detached = logits.detach();
  const at::Tensor maxima =
      at::zeros({num_nodes, logits.size(1)}, logits.options()).scatter_reduce(0, index, detached, "amax", false);
  at::Tensor exps = (logits - maxima.index_select(0, dst)).exp();
  const at::Tensor weight = cutoff.defined() ? cutoff.unsqueeze(1) : at::Tensor();
  if (weight.defined()) exps = exps * weight;
  const at::Tensor sums = at::zeros({num_nodes, logits.size(1)}, logits.options()).index_add(0, dst, exps);
  const at::Tensor softmax = exps / (sums.index_select(0, dst) + 1e-16);
  return weight.defined() ? softmax * weight : softmax;
}

at::Tensor aggregate_heads(const at::Tensor& value, const at::Tensor& weight, const at::Tensor& dst,
                           int64_t num_nodes) {
  const at::Tensor messages = value * weight.unsqueeze(-1);
  return at::zeros({num_nodes, value.size(1), value.size(2)}, value.options()).index_add(0, dst, messages);
}

}  // namespace eqt::models::equiformer
