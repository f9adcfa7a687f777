// TensorProductKernel::irrep_major: the product written in the IrrepMajor layout (see
// irrep_major.h), for a following Linear. Depthwise ('uvu') products of Equiformer spend most of
// their time moving [E, ~3000] tensors; this path writes each path's result once into the layout
// the Linear multiplies in, and skips the CG matrix product where it is a scaled identity.
#include <vector>

#include "eqt/kernels/fast_linear.h"

#include "eqt/kernels/batched_small_matmul.h"
#include "eqt/nn/tensor_product_kernel.h"
#include "eqt/so3/wigner_3j.h"

namespace eqt::nn {
namespace {

}  // namespace

bool TensorProductKernel::is_direct(const Step& step) const {
  return pairs_[step.pair].identity_scale != 0.0 && instructions_[step.instruction].connection_mode == "uvu";
}

// out[z, k, u] = c * w[z, u] * x1[z, u, i] * x2[z, j] with k = i (x2 scalar) or k = j (x1 scalar).
at::Tensor TensorProductKernel::direct_step(const Step& step, const Pieces& x1_blocks, const Pieces& x2_blocks,
                                            const Pieces& weights) const {
  const auto& ins = instructions_[step.instruction];
  const auto& p = pairs_[step.pair];
  const int64_t batch = x1_blocks[p.i_in1].size(0);
  const auto scaled = [&](const at::Tensor& t) {  // t [Z, 1 or mul1] times c * weight -> [Z, mul1]
    if (!ins.has_weight) return t * (ins.path_weight * p.identity_scale);
    const at::Tensor& w = weights[weight_piece_[step.instruction]];
    return t * (w.view({w.dim() == 1 ? 1 : w.size(0), p.mul1}) * p.identity_scale);
  };
  if (p.dim1 == 1) {
    const at::Tensor a = scaled(x1_blocks[p.i_in1].view({batch, p.mul1}));
    return x2_blocks[p.i_in2].view({batch, p.dim2, 1}) * a.view({batch, 1, p.mul1});
  }
  const at::Tensor s = scaled(x2_blocks[p.i_in2].view({batch, 1}));
  return x1_blocks[p.i_in1].view({batch, p.mul1, p.dim1}).transpose(1, 2) * s.view({batch, 1, s.size(-1)});  // explicit: -1 is ambiguous for an empty batch
}

void TensorProductKernel::build_contraction_tables() {
  for (const auto& ins : instructions_) {
    const so3::Irrep& l1 = in1_[ins.i_in1].ir;
    const so3::Irrep& l2 = in2_[ins.i_in2].ir;
    const bool one_x2_channel = ins.connection_mode == "uvu" && in2_[ins.i_in2].mul == 1;
    // A scalar x2 (C = scale * identity) stays a broadcast product: it has no per-sample matrix.
    if (!one_x2_channel || l2.dim() == 1) {
      contraction_slot_.push_back(-1);
      continue;
    }
    const int64_t dim_out = out_[ins.i_out].ir.dim();
    at::Tensor table = so3::wigner_3j(l1.l, l2.l, out_[ins.i_out].ir.l, at::kDouble)  // [i, j, k]
                           .permute({1, 2, 0})
                           .reshape({l2.dim(), dim_out * l1.dim()});
    if (!ins.has_weight) table = table * ins.path_weight;
    contraction_slot_.push_back(constants_.add(table));
  }
}

bool TensorProductKernel::is_contracted(const Step& step) const { return contraction_slot_[step.instruction] >= 0; }

at::Tensor TensorProductKernel::contracted_step(const Step& step, const Pieces& x1_blocks, const Pieces& x2_blocks,
                                                const Pieces& weights) const {
  const auto& ins = instructions_[step.instruction];
  const auto& p = pairs_[step.pair];
  const at::Tensor& x2 = x2_blocks[p.i_in2];
  const int64_t batch = x2.size(0);
  const at::Tensor matrix =  // [Z, 2l+1, dim1]
      kernels::fast_mm(x2, constants_.get(contraction_slot_[step.instruction], x2)).view({batch, step.ir_dim, p.dim1});
  at::Tensor x1 = x1_blocks[p.i_in1].view({batch, p.mul1, p.dim1});
  if (ins.has_weight) {  // the weight scales the small operand, not the [Z, 2l+1, mul] result
    const at::Tensor& w = weights[weight_piece_[step.instruction]];
    x1 = x1 * w.view({w.dim() == 1 ? 1 : w.size(0), p.mul1, 1});
  }
  return kernels::batched_small_mm(matrix, x1.transpose(1, 2));
}

at::Tensor TensorProductKernel::transposed_step(const Step& step, const std::vector<Pieces>& products,
                                                const Pieces& weights) const {
  const auto& block = out_[instructions_[step.instruction].i_out];
  const at::Tensor r = elementwise(step, products, weights);  // [Z, mul * m]
  return r.view({r.size(0), block.mul, block.ir.dim()}).transpose(1, 2);
}

IrrepMajor TensorProductKernel::irrep_major(const at::Tensor& x1, const at::Tensor& x2,
                                            const at::Tensor& weight) const {
  if (!mixes_.empty()) return to_irrep_major(out_, (*this)(x1, x2, weight));
  const int64_t batch = x1.size(0);
  const Pieces x1_blocks = x1.split_with_sizes(block_dims(in1_), 1);
  const Pieces x2_blocks = x2.split_with_sizes(block_dims(in2_), 1);
  std::vector<bool> needed(pairs_.size(), false);
  for (const auto& step : elementwise_) {
    needed[step.pair] = needed[step.pair] || !(is_contracted(step) || is_direct(step));
  }
  std::vector<Pieces> products(pairs_.size());
  for (std::size_t g = 0; g < pairs_.size(); ++g) {
    if (needed[g]) products[g] = pair_product(pairs_[g], x1_blocks, x2_blocks);
  }
  const at::Tensor scaled = weight * constants_.get(scale_slot_, weight);
  const Pieces weights = scaled.split_with_sizes(weight_sizes_, -1);

  std::vector<std::vector<at::Tensor>> contributions(out_.size());  // [Z, m, mul] each
  for (const auto& step : elementwise_) {
    auto& terms = contributions[instructions_[step.instruction].i_out];
    if (is_contracted(step)) {
      terms.push_back(contracted_step(step, x1_blocks, x2_blocks, weights));
    } else {
      terms.push_back(is_direct(step) ? direct_step(step, x1_blocks, x2_blocks, weights)
                                      : transposed_step(step, products, weights));
    }
  }
  IrrepMajor result;
  result.irreps = distinct_irreps(out_);
  for (const auto& ir : result.irreps) {
    std::vector<at::Tensor> pieces;
    for (std::size_t b = 0; b < out_.size(); ++b) {
      if (out_[b].ir != ir) continue;
      const auto& terms = contributions[b];
      if (terms.empty()) {
        pieces.push_back(at::zeros({batch, ir.dim(), out_[b].mul}, x1.options()));
        continue;
      }
      at::Tensor sum = terms.front();
      for (std::size_t k = 1; k < terms.size(); ++k) sum = sum + terms[k];
      pieces.push_back(sum);
    }
    result.parts.push_back(std::move(pieces));  // not joined: the Linear multiplies piece by piece
  }
  return result;
}

}  // namespace eqt::nn
