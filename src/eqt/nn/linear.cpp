#include "eqt/nn/linear.h"

#include "eqt/kernels/fast_linear.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "eqt/core/error.h"
#include "eqt/core/index_tensor.h"

namespace eqt::nn {
namespace {

std::vector<std::pair<int, int>> all_equal_irrep_pairs(const so3::Irreps& in, const so3::Irreps& out) {
  std::vector<std::pair<int, int>> pairs;
  for (std::size_t i = 0; i < in.size(); ++i) {
    for (std::size_t o = 0; o < out.size(); ++o) {
      if (in[i].ir == out[o].ir) pairs.emplace_back(static_cast<int>(i), static_cast<int>(o));
    }
  }
  return pairs;
}

// Position of each block's first index in a list of chosen blocks laid side by side.
std::map<int, int64_t> stacked_offsets(const std::vector<int>& blocks, const so3::Irreps& irreps,
                                       int64_t& total) {
  std::map<int, int64_t> offsets;
  total = 0;
  for (int b : blocks) {
    offsets[b] = total;
    total += irreps[b].mul;
  }
  return offsets;
}

int64_t channels_of(const so3::Irreps& irreps, const so3::Irrep& ir) {
  int64_t total = 0;
  for (const auto& block : irreps) total += block.ir == ir ? block.mul : 0;
  return total;
}

}  // namespace

Linear::Linear(const so3::Irreps& irreps_in, const so3::Irreps& irreps_out, LinearOptions options)
    : irreps_in_(irreps_in), irreps_out_(irreps_out) {
  if (options.path_normalization != "element" && options.path_normalization != "path" &&
      options.path_normalization != "none") {
    fail("Linear: path_normalization must be 'element', 'path' or 'none', not '{}'",
         options.path_normalization);
  }
  build_instructions(options);
  build_groups();
  weight = register_parameter("weight", at::randn({weight_numel_}));
  if (bias_numel_ > 0) bias = register_parameter("bias", at::zeros({bias_numel_}));
}

void Linear::build_instructions(const LinearOptions& options) {
  const bool use_default = options.default_instructions && options.instructions.empty();
  const auto pairs = use_default ? all_equal_irrep_pairs(irreps_in_, irreps_out_) : options.instructions;
  for (const auto& [i_in, i_out] : pairs) {
    if (i_in < 0 || i_in >= static_cast<int>(irreps_in_.size()) || i_out < 0 ||
        i_out >= static_cast<int>(irreps_out_.size())) {
      fail("Linear {} -> {}: instruction ({}, {}) indexes outside the irreps", irreps_in_.str(),
           irreps_out_.str(), i_in, i_out);
    }
    if (irreps_in_[i_in].ir != irreps_out_[i_out].ir) {
      fail("Linear: instruction ({}, {}) connects different irreps {} and {}", i_in, i_out,
           irreps_in_[i_in].ir.str(), irreps_out_[i_out].ir.str());
    }
    instructions_.push_back({i_in, i_out, {irreps_in_[i_in].mul, irreps_out_[i_out].mul}, 1.0});
  }
  // Fan-in of each output block, counted over the instructions feeding it.
  for (auto& ins : instructions_) {
    int64_t fan_in = 0;
    for (const auto& other : instructions_) {
      if (other.i_out != ins.i_out) continue;
      fan_in +=
          options.path_normalization == "element" ? irreps_in_[other.i_in].mul : irreps_in_[ins.i_in].mul;
    }
    ins.path_weight = options.path_normalization == "none"
                          ? 1.0
                          : 1.0 / std::sqrt(static_cast<double>(fan_in == 0 ? 1 : fan_in));
    weight_numel_ += ins.path_shape[0] * ins.path_shape[1];
  }
  for (std::size_t o = 0; o < irreps_out_.size(); ++o) {
    if (!options.biases || !irreps_out_[o].ir.is_scalar()) continue;
    instructions_.push_back({-1, static_cast<int>(o), {irreps_out_[o].mul}, 1.0});
    bias_numel_ += irreps_out_[o].mul;
  }
}

void Linear::build_groups() {
  std::vector<double> scale;
  for (const auto& ins : instructions_) {
    weight_offsets_.push_back(ins.i_in < 0 ? -1 : static_cast<int64_t>(scale.size()));
    if (ins.i_in >= 0) scale.insert(scale.end(), ins.path_shape[0] * ins.path_shape[1], ins.path_weight);
  }
  weight_scale_ = constants_.add(at::tensor(scale, at::kDouble));

  std::vector<so3::Irrep> seen;
  for (const auto& block : irreps_out_) {
    if (std::find(seen.begin(), seen.end(), block.ir) != seen.end()) continue;
    seen.push_back(block.ir);
    std::vector<int> members;
    for (std::size_t n = 0; n < instructions_.size(); ++n) {
      const auto& ins = instructions_[n];
      if (ins.i_in >= 0 && irreps_out_[ins.i_out].ir == block.ir &&
          ins.path_shape[0] * ins.path_shape[1] > 0) {
        members.push_back(static_cast<int>(n));
      }
    }
    if (!members.empty()) groups_.push_back(plan_group(block.ir, members));
  }
  bias_offsets_.assign(irreps_out_.size(), -1);
  int64_t offset = 0;
  for (const auto& ins : instructions_) {
    if (ins.i_in >= 0) continue;
    bias_offsets_[ins.i_out] = offset;
    offset += ins.path_shape[0];
  }
}

Linear::IrrepGroup Linear::plan_group(const so3::Irrep& ir, const std::vector<int>& members) {
  IrrepGroup group;
  for (int n : members) {
    group.in_blocks.push_back(instructions_[n].i_in);
    group.out_blocks.push_back(instructions_[n].i_out);
  }
  for (auto* blocks : {&group.in_blocks, &group.out_blocks}) {
    std::sort(blocks->begin(), blocks->end());
    blocks->erase(std::unique(blocks->begin(), blocks->end()), blocks->end());
  }
  group.ir_dim = ir.dim();
  const auto row_of = stacked_offsets(group.in_blocks, irreps_in_, group.rows);
  const auto column_of = stacked_offsets(group.out_blocks, irreps_out_, group.columns);
  const int64_t zero_weight = weight_numel_;  // the 0 appended to the scaled flat weight
  std::vector<int64_t> positions(group.rows * group.columns, zero_weight);
  for (int n : members) {
    const auto& ins = instructions_[n];
    const int64_t mul_in = ins.path_shape[0], mul_out = ins.path_shape[1];
    for (int64_t u = 0; u < mul_in; ++u) {
      for (int64_t w = 0; w < mul_out; ++w) {
        auto& slot = positions[(row_of.at(ins.i_in) + u) * group.columns + column_of.at(ins.i_out) + w];
        if (slot != zero_weight) fail("Linear: duplicate instruction ({}, {})", ins.i_in, ins.i_out);
        slot = weight_offsets_[n] + u * mul_out + w;
      }
    }
  }
  group.weight_index = constants_.add(long_tensor(positions));
  return group;
}

at::Tensor Linear::group_input(const IrrepGroup& g, const std::vector<at::Tensor>& x_blocks) const {
  const int64_t batch = x_blocks.front().size(0);
  std::vector<at::Tensor> inputs;  // [Z, mul, m] each
  for (int b : g.in_blocks) inputs.push_back(x_blocks[b].view({batch, irreps_in_[b].mul, g.ir_dim}));
  const at::Tensor x = inputs.size() == 1 ? inputs.front() : at::cat(inputs, 1);
  return x.transpose(1, 2).reshape({batch * g.ir_dim, g.rows});
}

at::Tensor Linear::subset_input(const IrrepGroup& g, const IrrepMajor& x) const {
  const so3::Irrep& ir = irreps_in_[g.in_blocks.front()].ir;
  const at::Tensor part = x.part(ir);
  if (part.size(2) != channels_of(irreps_in_, ir)) fail("Linear {}: truncated input part for {}", irreps_in_.str(), ir.str());
  std::vector<at::Tensor> pieces;
  int64_t column = 0;
  for (std::size_t b = 0; b < irreps_in_.size(); ++b) {
    if (irreps_in_[b].ir != ir) continue;
    if (std::find(g.in_blocks.begin(), g.in_blocks.end(), static_cast<int>(b)) != g.in_blocks.end()) {
      pieces.push_back(part.narrow(2, column, irreps_in_[b].mul));
    }
    column += irreps_in_[b].mul;
  }
  return at::cat(pieces, 2).reshape({x.batch() * g.ir_dim, g.rows});
}

at::Tensor Linear::group_product(const IrrepGroup& g, const IrrepMajor& x, const at::Tensor& padded_weight) const {
  const so3::Irrep& ir = irreps_in_[g.in_blocks.front()].ir;
  const auto* pieces = x.pieces(ir);
  if (pieces == nullptr) return at::Tensor();  // all zero
  const at::Tensor matrix = group_matrix(g, padded_weight);
  // The group reads only some of the blocks of this irrep (not the case in Equiformer).
  if (g.rows != channels_of(irreps_in_, ir)) return kernels::fast_mm(subset_input(g, x), matrix);
  // One product per piece with its rows of the matrix, summed: the pieces are never concatenated.
  std::vector<int64_t> widths;
  for (const auto& piece : *pieces) widths.push_back(piece.size(2));
  const int64_t used = std::accumulate(widths.begin(), widths.end(), int64_t{0});
  if (used > g.rows) fail("Linear {}: {} input channels of {} for {}", irreps_in_.str(), used, ir.str(), g.rows);
  if (used < g.rows) widths.push_back(g.rows - used);  // missing trailing channels: zero
  const auto rows = matrix.split_with_sizes(widths, 0);
  const int64_t height = x.batch() * g.ir_dim;
  at::Tensor y;
  for (std::size_t k = 0; k < pieces->size(); ++k) {
    const at::Tensor a = (*pieces)[k].reshape({height, widths[k]});
    y = y.defined() ? y + kernels::fast_mm(a, rows[k]) : kernels::fast_mm(a, rows[k]);
  }
  return y;
}

void Linear::run_group(const IrrepGroup& g, const at::Tensor& product, int64_t batch,
                       std::vector<at::Tensor>& out_blocks) const {
  const at::Tensor y = product.view({batch, g.ir_dim, g.columns}).transpose(1, 2);
  std::vector<int64_t> muls;
  for (int b : g.out_blocks) muls.push_back(irreps_out_[b].mul);
  const auto parts = muls.size() == 1 ? std::vector<at::Tensor>{y} : y.split_with_sizes(muls, 1);
  for (std::size_t k = 0; k < muls.size(); ++k) {
    out_blocks[g.out_blocks[k]] = parts[k].reshape({batch, irreps_out_[g.out_blocks[k]].dim()});
  }
}

at::Tensor Linear::group_matrix(const IrrepGroup& g, const at::Tensor& padded_weight) const {
  return padded_weight.index_select(0, constants_.get(g.weight_index, padded_weight)).view({g.rows, g.columns});
}

at::Tensor Linear::padded_weight() const {
  return at::cat({weight * constants_.get(weight_scale_, weight), at::zeros({1}, weight.options())});
}

at::Tensor Linear::finish(std::vector<at::Tensor>& out_blocks, int64_t batch, const at::TensorOptions& options) const {
  for (std::size_t b = 0; b < irreps_out_.size(); ++b) {
    if (!out_blocks[b].defined()) out_blocks[b] = at::zeros({batch, irreps_out_[b].dim()}, options);
    if (bias_offsets_[b] >= 0)
      out_blocks[b] = out_blocks[b] + bias.narrow(0, bias_offsets_[b], irreps_out_[b].mul);
  }
  if (out_blocks.empty()) return at::zeros({batch, 0}, options);
  return out_blocks.size() == 1 ? out_blocks.front().contiguous() : at::cat(out_blocks, 1);
}

at::Tensor Linear::forward(const at::Tensor& x) const {
  if (x.dim() < 1 || x.size(-1) != irreps_in_.dim()) {
    fail("Linear {} -> {}: input has shape {}, expected [..., {}]", irreps_in_.str(), irreps_out_.str(),
         c10::str(x.sizes()), irreps_in_.dim());
  }
  std::vector<int64_t> out_shape = x.sizes().vec();
  out_shape.back() = irreps_out_.dim();
  const at::Tensor flat = x.reshape({-1, irreps_in_.dim()});
  const int64_t batch = flat.size(0);
  std::vector<int64_t> in_dims;
  for (const auto& b : irreps_in_) in_dims.push_back(b.dim());
  const auto x_blocks = flat.split_with_sizes(in_dims, 1);
  const at::Tensor weights = padded_weight();
  std::vector<at::Tensor> out_blocks(irreps_out_.size());
  // [Z * m, rows] x [rows, columns]: one matrix product for every block of this irrep.
  for (const auto& g : groups_) run_group(g, kernels::fast_mm(group_input(g, x_blocks), group_matrix(g, weights)), batch, out_blocks);
  return finish(out_blocks, batch, flat.options()).view(out_shape);
}

at::Tensor Linear::forward(const IrrepMajor& x) const {
  const int64_t batch = x.batch();
  const at::Tensor weights = padded_weight();
  std::vector<at::Tensor> out_blocks(irreps_out_.size());
  for (const auto& g : groups_) {
    const at::Tensor product = group_product(g, x, weights);
    if (product.defined()) run_group(g, product, batch, out_blocks);
  }
  return finish(out_blocks, batch, x.parts.empty() ? weight.options() : x.parts.front().front().options());
}

at::Tensor Linear::irrep_part(const so3::Irrep& ir, const IrrepGroup* g, const at::Tensor& y, int64_t batch) const {
  int64_t total = 0;
  for (const auto& block : irreps_out_) total += block.ir == ir ? block.mul : 0;
  if (g != nullptr && g->columns == total) return y;
  std::vector<at::Tensor> pieces;
  int64_t column = 0;
  for (std::size_t b = 0; b < irreps_out_.size(); ++b) {
    if (irreps_out_[b].ir != ir) continue;
    const int64_t mul = irreps_out_[b].mul;
    const bool reached =
        g != nullptr && std::find(g->out_blocks.begin(), g->out_blocks.end(), static_cast<int>(b)) != g->out_blocks.end();
    pieces.push_back(reached ? y.narrow(2, column, mul) : at::zeros({batch, ir.dim(), mul}, weight.options()));
    column += reached ? mul : 0;
  }
  return at::cat(pieces, 2);
}

IrrepMajor Linear::forward_to_irrep_major(const IrrepMajor& x) const {
  if (bias_numel_ > 0) return to_irrep_major(irreps_out_, forward(x));
  const int64_t batch = x.batch();
  const at::Tensor weights = padded_weight();
  IrrepMajor out;
  out.irreps = distinct_irreps(irreps_out_);
  for (const auto& ir : out.irreps) {
    const IrrepGroup* group = nullptr;
    for (const auto& g : groups_) {
      if (irreps_out_[g.out_blocks.front()].ir == ir) group = &g;
    }
    const at::Tensor product = group != nullptr ? group_product(*group, x, weights) : at::Tensor();
    if (!product.defined()) group = nullptr;
    const at::Tensor y = group != nullptr ? product.view({batch, ir.dim(), group->columns}) : at::Tensor();
    out.parts.push_back({irrep_part(ir, group, y, batch)});
  }
  return out;
}

}  // namespace eqt::nn
