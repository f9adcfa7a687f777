#include "eqt/nn/tensor_product_kernel.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "eqt/core/index_tensor.h"
#include "eqt/kernels/fast_linear.h"
#include "eqt/so3/wigner_3j.h"

namespace eqt::nn {
namespace {

bool is_mixing(const TensorProductInstruction& ins) {
  return ins.connection_mode == "uvw" || (ins.connection_mode == "uuw" && ins.has_weight);
}

// Sum over a channel dimension; a dimension of size 1 is only dropped (no kernel).
at::Tensor sum_channel(const at::Tensor& t, int64_t dim) {
  return t.size(dim) == 1 ? t.squeeze(dim) : t.sum(dim);
}

}  // namespace

TensorProductKernel::TensorProductKernel(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                                         const so3::Irreps& irreps_out,
                                         const std::vector<TensorProductInstruction>& instructions)
    : in1_(irreps_in1), in2_(irreps_in2), out_(irreps_out) {
  int64_t offset = 0;
  for (const auto& ins : instructions) {
    const int64_t size = ins.has_weight ? shape_product(ins.path_shape) : 0;
    // As e3nn: paths touching an empty block produce nothing; their weight blocks are empty too.
    const bool empty = shape_product(ins.path_shape) == 0 || in1_[ins.i_in1].mul == 0 || in2_[ins.i_in2].mul == 0 ||
                       out_[ins.i_out].mul == 0;
    if (!empty) {
      instructions_.push_back(ins);
      weight_offsets_.push_back(ins.has_weight ? offset : -1);
    }
    offset += size;
  }
  weight_numel_ = offset;
  build_weight_table();
  for (const auto& ins : instructions_) pair_of(ins);
  build_mix_groups();
  for (std::size_t n = 0; n < instructions_.size(); ++n) {
    if (!is_mixing(instructions_[n])) elementwise_.push_back(step_of(n));
  }
  build_cg_matrices();
  build_contraction_tables();
}

void TensorProductKernel::build_weight_table() {
  std::vector<double> scale(weight_numel_, 0.0);
  for (std::size_t n = 0; n < instructions_.size(); ++n) {
    const auto& ins = instructions_[n];
    weight_piece_.push_back(ins.has_weight ? static_cast<int>(weight_sizes_.size()) : -1);
    if (!ins.has_weight) continue;
    std::fill_n(scale.begin() + weight_offsets_[n], shape_product(ins.path_shape), ins.path_weight);
    weight_sizes_.push_back(shape_product(ins.path_shape));
  }
  scale_slot_ = constants_.add(at::tensor(scale, at::kDouble));
}

int TensorProductKernel::pair_of(const TensorProductInstruction& ins) {
  const bool diagonal = ins.connection_mode.rfind("uu", 0) == 0;
  const int l_out = out_[ins.i_out].ir.l;
  for (std::size_t g = 0; g < pairs_.size(); ++g) {
    auto& pair = pairs_[g];
    if (pair.i_in1 != ins.i_in1 || pair.i_in2 != ins.i_in2 || pair.diagonal != diagonal) continue;
    if (std::find(pair.ls_out.begin(), pair.ls_out.end(), l_out) == pair.ls_out.end()) {
      pair.ls_out.push_back(l_out);
      pair.widths.push_back(2 * l_out + 1);
      pair.width += 2 * l_out + 1;
    }
    return static_cast<int>(g);
  }
  PairGroup pair;
  pair.i_in1 = ins.i_in1;
  pair.i_in2 = ins.i_in2;
  pair.diagonal = diagonal;
  pair.mul1 = in1_[ins.i_in1].mul;
  pair.mul2 = diagonal ? 1 : in2_[ins.i_in2].mul;
  pair.dim1 = in1_[ins.i_in1].ir.dim();
  pair.dim2 = in2_[ins.i_in2].ir.dim();
  pair.ls_out = {l_out};
  pair.widths = {2 * l_out + 1};
  pair.width = 2 * l_out + 1;
  pairs_.push_back(pair);
  return static_cast<int>(pairs_.size()) - 1;
}

TensorProductKernel::Step TensorProductKernel::step_of(std::size_t n) {
  const int pair = pair_of(instructions_[n]);
  const int l_out = out_[instructions_[n].i_out].ir.l;
  const auto& ls = pairs_[pair].ls_out;
  const auto piece = static_cast<std::size_t>(std::find(ls.begin(), ls.end(), l_out) - ls.begin());
  return {n, pair, piece, 2 * l_out + 1};
}

void TensorProductKernel::build_mix_groups() {
  std::vector<so3::Irrep> done;
  for (const auto& block : out_) {
    if (std::find(done.begin(), done.end(), block.ir) != done.end()) continue;
    done.push_back(block.ir);
    MixGroup group;
    group.ir_dim = block.ir.dim();
    std::set<int> out_blocks;
    for (std::size_t n = 0; n < instructions_.size(); ++n) {
      if (!is_mixing(instructions_[n]) || out_[instructions_[n].i_out].ir != block.ir) continue;
      group.steps.push_back(step_of(n));
      out_blocks.insert(instructions_[n].i_out);
    }
    if (group.steps.empty()) continue;
    std::map<int, int64_t> first_column;
    for (int b : out_blocks) {
      group.out_blocks.push_back(b);
      first_column[b] = group.columns;
      group.columns += out_[b].mul;
    }
    std::vector<int64_t> row_start;
    for (const auto& step : group.steps) {
      row_start.push_back(group.rows);
      group.rows += pairs_[step.pair].mul1 * pairs_[step.pair].mul2;
    }
    std::vector<int64_t> positions(group.rows * group.columns,
                                   weight_numel_);  // weight_numel_: an appended 0
    for (std::size_t k = 0; k < group.steps.size(); ++k) {
      const std::size_t n = group.steps[k].instruction;
      const int64_t rows = pairs_[group.steps[k].pair].mul1 * pairs_[group.steps[k].pair].mul2;
      const int64_t mul_out = out_[instructions_[n].i_out].mul;
      const int64_t column = first_column[instructions_[n].i_out];
      // 'uvw' rows are (u, v) pairs, 'uuw' rows are u: both index the weight block as [row, w].
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t w = 0; w < mul_out; ++w) {
          positions[(row_start[k] + r) * group.columns + column + w] = weight_offsets_[n] + r * mul_out + w;
        }
      }
    }
    group.weight_slot = constants_.add(long_tensor(positions));
    mixes_.push_back(std::move(group));
  }
}

void TensorProductKernel::build_cg_matrices() {
  for (auto& pair : pairs_) {
    std::vector<at::Tensor> blocks;
    for (int l : pair.ls_out) {
      blocks.push_back(so3::wigner_3j(in1_[pair.i_in1].ir.l, in2_[pair.i_in2].ir.l, l, at::kDouble));
    }
    const at::Tensor cg = at::cat(blocks, 2).reshape({pair.dim1 * pair.dim2, pair.width});
    pair.cg_slot = constants_.add(cg);
    if (pair.ls_out.size() == 1 && pair.mul2 == 1 && !pair.diagonal && (pair.dim1 == 1 || pair.dim2 == 1)) {
      const double scale = cg[0][0].item<double>();
      const at::Tensor identity = at::eye(pair.width, at::kDouble) * scale;
      if (cg.size(0) == pair.width && at::allclose(cg, identity, 0.0, 1e-15)) pair.identity_scale = scale;
    }
  }
}

TensorProductKernel::Pieces TensorProductKernel::pair_product(const PairGroup& p, const Pieces& x1,
                                                              const Pieces& x2) const {
  const int64_t batch = x1[p.i_in1].size(0);
  const at::Tensor a = x1[p.i_in1].view({batch, p.mul1, 1, p.dim1, 1});
  const at::Tensor b = p.diagonal ? x2[p.i_in2].view({batch, p.mul1, 1, 1, p.dim2})
                                  : x2[p.i_in2].view({batch, 1, p.mul2, 1, p.dim2});
  const at::Tensor outer = (a * b).view({batch * p.mul1 * p.mul2, p.dim1 * p.dim2});
  const at::Tensor y = kernels::fast_mm(outer, constants_.get(p.cg_slot, outer)).view({batch, p.mul1, p.mul2, p.width});
  return p.widths.size() == 1 ? Pieces{y} : y.split_with_sizes(p.widths, 3);
}

void TensorProductKernel::add_mix_group(const MixGroup& g, const std::vector<Pieces>& products,
                                        const at::Tensor& scaled,
                                        std::vector<std::vector<at::Tensor>>& contributions) const {
  const int64_t batch = products.front().front().size(0);
  std::vector<at::Tensor> pieces;
  for (const auto& step : g.steps) {
    const int64_t rows = pairs_[step.pair].mul1 * pairs_[step.pair].mul2;
    pieces.push_back(products[step.pair][step.piece].reshape({batch, rows, g.ir_dim}));
  }
  const at::Tensor y = pieces.size() == 1 ? pieces.front() : at::cat(pieces, 1);  // [Z, rows, m]
  const at::Tensor index = constants_.get(g.weight_slot, scaled);
  at::Tensor r;  // [Z, columns, m]
  if (scaled.dim() == 1) {
    const at::Tensor m = at::cat({scaled, at::zeros({1}, scaled.options())}).index_select(0, index);
    r = kernels::fast_mm(y.transpose(1, 2).reshape({batch * g.ir_dim, g.rows}), m.view({g.rows, g.columns}))
            .view({batch, g.ir_dim, g.columns})
            .transpose(1, 2);
  } else {
    const at::Tensor m = at::cat({scaled, at::zeros({batch, 1}, scaled.options())}, 1).index_select(1, index);
    r = at::bmm(m.view({batch, g.rows, g.columns}).transpose(1, 2), y);
  }
  std::vector<int64_t> muls;
  for (int b : g.out_blocks) muls.push_back(out_[b].mul);
  const Pieces parts = muls.size() == 1 ? Pieces{r} : r.split_with_sizes(muls, 1);
  for (std::size_t k = 0; k < muls.size(); ++k) {
    contributions[g.out_blocks[k]].push_back(parts[k].reshape({batch, out_[g.out_blocks[k]].dim()}));
  }
}

at::Tensor TensorProductKernel::elementwise(const Step& step, const std::vector<Pieces>& products,
                                            const Pieces& weights) const {
  const auto& ins = instructions_[step.instruction];
  const auto& pair = pairs_[step.pair];
  const at::Tensor& y = products[step.pair][step.piece];  // [Z, u, v, m]
  at::Tensor r;
  if (ins.has_weight) {
    const at::Tensor& w = weights[weight_piece_[step.instruction]];
    r = y * w.view({w.dim() == 1 ? 1 : w.size(0), pair.mul1, pair.mul2, 1});
  } else {
    r = y * ins.path_weight;
  }
  // Free channel summed: v for uvu (and uuu, where v has size 1), u for uvv and unweighted uuw.
  const bool sum_u = ins.connection_mode == "uvv" || ins.connection_mode == "uuw";
  return sum_channel(r, sum_u ? 1 : 2).reshape({y.size(0), out_[ins.i_out].dim()});
}

at::Tensor TensorProductKernel::operator()(const at::Tensor& x1, const at::Tensor& x2,
                                           const at::Tensor& weight) const {
  const int64_t batch = x1.size(0);
  const Pieces x1_blocks = x1.split_with_sizes(block_dims(in1_), 1);
  const Pieces x2_blocks = x2.split_with_sizes(block_dims(in2_), 1);
  std::vector<Pieces> products;
  for (const auto& p : pairs_) products.push_back(pair_product(p, x1_blocks, x2_blocks));
  const at::Tensor scaled = weight * constants_.get(scale_slot_, weight);
  const Pieces weights = scaled.split_with_sizes(weight_sizes_, -1);

  std::vector<std::vector<at::Tensor>> contributions(out_.size());
  for (const auto& g : mixes_) add_mix_group(g, products, scaled, contributions);
  for (const auto& step : elementwise_) {
    contributions[instructions_[step.instruction].i_out].push_back(elementwise(step, products, weights));
  }
  std::vector<at::Tensor> blocks;
  for (std::size_t b = 0; b < out_.size(); ++b) {
    if (contributions[b].empty()) {
      blocks.push_back(at::zeros({batch, out_[b].dim()}, x1.options()));
      continue;
    }
    at::Tensor sum = contributions[b].front();
    for (std::size_t k = 1; k < contributions[b].size(); ++k) sum = sum + contributions[b][k];
    blocks.push_back(sum);
  }
  if (blocks.empty()) return at::zeros({batch, 0}, x1.options());
  return blocks.size() == 1 ? blocks.front().contiguous() : at::cat(blocks, 1);
}

}  // namespace eqt::nn
