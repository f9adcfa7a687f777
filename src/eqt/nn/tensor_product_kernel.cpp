#include "eqt/nn/tensor_product_kernel.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "eqt/core/error.h"
#include "eqt/so3/wigner_3j.h"

namespace eqt::nn {
namespace {

at::Tensor long_tensor(const std::vector<int64_t>& values) {
  return at::tensor(values, at::TensorOptions().dtype(at::kLong));
}

int64_t product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

bool is_mixing(const TensorProductInstruction& ins) {
  return ins.connection_mode == "uvw" || (ins.connection_mode == "uuw" && ins.has_weight);
}

}  // namespace

TensorProductKernel::TensorProductKernel(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                                         const so3::Irreps& irreps_out,
                                         const std::vector<TensorProductInstruction>& instructions)
    : in1_(irreps_in1), in2_(irreps_in2), out_(irreps_out) {
  int64_t offset = 0;
  for (const auto& ins : instructions) {
    const int64_t size = ins.has_weight ? product(ins.path_shape) : 0;
    // As e3nn: paths touching an empty block produce nothing but keep their (empty) weight slot.
    const bool empty = product(ins.path_shape) == 0 || in1_[ins.i_in1].mul == 0 || in2_[ins.i_in2].mul == 0 ||
                       out_[ins.i_out].mul == 0;
    if (!empty) {
      instructions_.push_back(ins);
      weight_offsets_.push_back(ins.has_weight ? offset : -1);
    }
    offset += size;
  }
  weight_numel_ = offset;
  build_weight_tables();
  for (const auto& ins : instructions_) pair_of(ins);
  std::vector<int64_t> destinations;  // output position of every result column, in order
  build_mix_groups(destinations);
  build_elementwise(destinations);
  build_pairs_and_output(destinations);
}

void TensorProductKernel::build_weight_tables() {
  std::vector<double> scale(weight_numel_, 0.0), path_consts;
  for (std::size_t n = 0; n < instructions_.size(); ++n) {
    const auto& ins = instructions_[n];
    const_slots_.push_back(ins.has_weight ? -1 : static_cast<int>(path_consts.size()));
    if (ins.has_weight) {
      std::fill_n(scale.begin() + weight_offsets_[n], product(ins.path_shape), ins.path_weight);
    } else {
      path_consts.push_back(ins.path_weight);
    }
  }
  const_count_ = static_cast<int64_t>(path_consts.size());
  scale_slot_ = constants_.add(at::tensor(scale, at::kDouble));
  path_consts_slot_ = constants_.add(at::tensor(path_consts, at::kDouble));
}

int TensorProductKernel::pair_of(const TensorProductInstruction& ins) {
  const bool diagonal = ins.connection_mode.rfind("uu", 0) == 0;
  const int l_out = out_[ins.i_out].ir.l;
  for (std::size_t g = 0; g < pairs_.size(); ++g) {
    auto& pair = pairs_[g];
    if (pair.i_in1 != ins.i_in1 || pair.i_in2 != ins.i_in2 || pair.diagonal != diagonal) continue;
    if (std::find(pair.ls_out.begin(), pair.ls_out.end(), l_out) == pair.ls_out.end()) {
      pair.ls_out.push_back(l_out);
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
  pair.width = 2 * l_out + 1;
  pairs_.push_back(pair);
  return static_cast<int>(pairs_.size()) - 1;
}

int64_t TensorProductKernel::column_of(int pair, int l_out) const {
  int64_t column = 0;
  for (int l : pairs_[pair].ls_out) {
    if (l == l_out) return column;
    column += 2 * l + 1;
  }
  fail("internal: output l {} missing from a tensor product pair", l_out);
}

void TensorProductKernel::build_mix_groups(std::vector<int64_t>& destinations) {
  const auto out_slices = out_.slices();
  const int64_t zero_weight = weight_numel_ + const_count_;
  std::vector<so3::Irrep> done;
  for (const auto& block : out_) {
    if (std::find(done.begin(), done.end(), block.ir) != done.end()) continue;
    done.push_back(block.ir);
    std::vector<std::size_t> members;
    std::set<int> out_blocks;
    for (std::size_t n = 0; n < instructions_.size(); ++n) {
      if (is_mixing(instructions_[n]) && out_[instructions_[n].i_out].ir == block.ir) {
        members.push_back(n);
        out_blocks.insert(instructions_[n].i_out);
      }
    }
    if (members.empty()) continue;
    MixGroup group;
    group.ir_dim = block.ir.dim();
    std::map<int, int64_t> first_column;
    for (int b : out_blocks) {
      first_column[b] = group.columns;
      group.columns += out_[b].mul;
    }
    for (std::size_t n : members) {
      const auto& ins = instructions_[n];
      const int pair = pair_of(ins);
      const int64_t rows = pairs_[pair].mul1 * pairs_[pair].mul2;
      group.pieces.push_back({pair, column_of(pair, block.ir.l), group.ir_dim, rows});
      group.rows += rows;
    }
    std::vector<int64_t> positions(group.rows * group.columns, zero_weight);
    int64_t row = 0;
    for (std::size_t k = 0; k < members.size(); ++k) {
      const auto& ins = instructions_[members[k]];
      const int64_t mul_out = out_[ins.i_out].mul;
      // 'uvw' rows are (u, v) pairs and 'uuw' rows are u: both index weight rows [row, w].
      for (int64_t r = 0; r < group.pieces[k].rows; ++r, ++row) {
        for (int64_t w = 0; w < mul_out; ++w) {
          positions[row * group.columns + first_column[ins.i_out] + w] =
              weight_offsets_[members[k]] + r * mul_out + w;
        }
      }
    }
    group.weight_slot = constants_.add(long_tensor(positions));
    for (int64_t m = 0; m < group.ir_dim; ++m) {  // results are laid out [m, column]
      for (int b : out_blocks) {
        for (int64_t w = 0; w < out_[b].mul; ++w)
          destinations.push_back(out_slices[b].first + w * group.ir_dim + m);
      }
    }
    mixes_.push_back(std::move(group));
  }
}

void TensorProductKernel::build_elementwise(std::vector<int64_t>& destinations) {
  const auto out_slices = out_.slices();
  std::vector<int64_t> weight_positions;
  for (std::size_t n = 0; n < instructions_.size(); ++n) {
    const auto& ins = instructions_[n];
    if (is_mixing(ins)) continue;
    const int pair = pair_of(ins);
    const auto& p = pairs_[pair];
    const int64_t d = out_[ins.i_out].ir.dim();
    const int64_t start = out_slices[ins.i_out].first;
    elementwise_.push_back({pair, column_of(pair, out_[ins.i_out].ir.l), d, 0});
    for (int64_t u = 0; u < p.mul1; ++u) {
      for (int64_t v = 0; v < p.mul2; ++v) {
        const int64_t weight =
            ins.has_weight ? weight_offsets_[n] + u * p.mul2 + v : weight_numel_ + const_slots_[n];
        // Output channel: u for uvu / uuu, v for uvv, the single channel for unweighted uuw.
        const int64_t channel = ins.connection_mode == "uvv" ? v : (ins.connection_mode == "uuw" ? 0 : u);
        for (int64_t k = 0; k < d; ++k) {
          weight_positions.push_back(weight);
          destinations.push_back(start + channel * d + k);
        }
      }
    }
  }
  elementwise_slot_ = constants_.add(long_tensor(weight_positions));
}

void TensorProductKernel::build_pairs_and_output(const std::vector<int64_t>& destinations) {
  for (auto& pair : pairs_) {
    std::vector<at::Tensor> blocks;
    for (int l : pair.ls_out) {
      blocks.push_back(so3::wigner_3j(in1_[pair.i_in1].ir.l, in2_[pair.i_in2].ir.l, l, at::kDouble));
    }
    // [dim2, dim1 * width]: x2 is contracted first.
    pair.cg_slot =
        constants_.add(at::cat(blocks, 2).permute({1, 0, 2}).reshape({pair.dim2, pair.dim1 * pair.width}));
  }
  const int64_t results = static_cast<int64_t>(destinations.size());
  std::vector<int64_t> source(out_.dim(), results);  // `results`: the zero column appended
  output_by_gather_ = true;
  for (int64_t r = 0; r < results; ++r) {
    if (source[destinations[r]] != results) output_by_gather_ = false;
    source[destinations[r]] = r;
  }
  output_slot_ = constants_.add(long_tensor(output_by_gather_ ? source : destinations));
}

at::Tensor TensorProductKernel::pair_product(const PairGroup& p, const at::Tensor& x1,
                                             const at::Tensor& x2) const {
  const int64_t batch = x1.size(0);
  const at::Tensor x1b = x1.narrow(1, in1_.slices()[p.i_in1].first, in1_[p.i_in1].dim());
  const at::Tensor x2b = x2.narrow(1, in2_.slices()[p.i_in2].first, in2_[p.i_in2].dim());
  const at::Tensor cg = constants_.get(p.cg_slot, x1);
  if (p.diagonal) {
    const at::Tensor t =
        at::mm(x2b.reshape({batch * p.mul1, p.dim2}), cg).view({batch * p.mul1, p.dim1, p.width});
    return at::bmm(x1b.reshape({batch * p.mul1, 1, p.dim1}), t).view({batch, p.mul1, 1, p.width});
  }
  const at::Tensor t = at::mm(x2b.reshape({batch * p.mul2, p.dim2}), cg)
                           .view({batch, p.mul2, p.dim1, p.width})
                           .permute({0, 2, 1, 3})
                           .reshape({batch, p.dim1, p.mul2 * p.width});
  return at::bmm(x1b.reshape({batch, p.mul1, p.dim1}), t).view({batch, p.mul1, p.mul2, p.width});
}

at::Tensor TensorProductKernel::extended_weight(const at::Tensor& weight, int64_t batch) const {
  const at::Tensor scaled = weight * constants_.get(scale_slot_, weight);
  const at::Tensor consts = constants_.get(path_consts_slot_, weight);
  if (weight.dim() == 1) return at::cat({scaled, consts, at::zeros({1}, weight.options())});
  return at::cat({scaled, consts.expand({batch, const_count_}), at::zeros({batch, 1}, weight.options())}, 1);
}

at::Tensor TensorProductKernel::piece_slice(const std::vector<at::Tensor>& products,
                                            const Piece& piece) const {
  return products[piece.pair].narrow(3, piece.column, piece.ir_dim);
}

at::Tensor TensorProductKernel::operator()(const at::Tensor& x1, const at::Tensor& x2,
                                           const at::Tensor& weight) const {
  const int64_t batch = x1.size(0);
  if (instructions_.empty()) return at::zeros({batch, out_.dim()}, x1.options());
  std::vector<at::Tensor> products;
  for (const auto& p : pairs_) products.push_back(pair_product(p, x1, x2));
  const at::Tensor ext = extended_weight(weight, batch);
  const bool shared = weight.dim() == 1;

  std::vector<at::Tensor> results;
  for (const auto& g : mixes_) {
    std::vector<at::Tensor> stacked;
    for (const auto& piece : g.pieces) {
      stacked.push_back(
          piece_slice(products, piece).permute({0, 3, 1, 2}).reshape({batch, g.ir_dim, piece.rows}));
    }
    const at::Tensor y = at::cat(stacked, 2);  // [Z, m, rows]
    const at::Tensor w = ext.index_select(-1, constants_.get(g.weight_slot, x1));
    const at::Tensor r = shared ? at::mm(y.view({batch * g.ir_dim, g.rows}), w.view({g.rows, g.columns}))
                                : at::bmm(y, w.view({batch, g.rows, g.columns}));
    results.push_back(r.reshape({batch, g.ir_dim * g.columns}));
  }
  if (!elementwise_.empty()) {
    std::vector<at::Tensor> terms;
    for (const auto& piece : elementwise_) terms.push_back(piece_slice(products, piece).reshape({batch, -1}));
    results.push_back(at::cat(terms, 1) * ext.index_select(-1, constants_.get(elementwise_slot_, x1)));
  }
  const at::Tensor all = at::cat(results, 1);
  const at::Tensor index = constants_.get(output_slot_, x1);
  if (output_by_gather_)
    return at::cat({all, at::zeros({batch, 1}, all.options())}, 1).index_select(1, index);
  return at::zeros({batch, out_.dim()}, all.options()).index_add(1, index, all);
}

}  // namespace eqt::nn
