// TensorProductKernel::irrep_major: the product written in the IrrepMajor layout (see
// irrep_major.h), for a following Linear. Depthwise ('uvu') products of Equiformer spend most of
// their time moving [E, ~3000] tensors; this path writes each path's result once into the layout
// the Linear multiplies in, and skips the CG matrix product where it is a scaled identity.
#include <vector>

#include "eqt/nn/tensor_product_kernel.h"

namespace eqt::nn {
namespace {

std::vector<int64_t> block_dims(const so3::Irreps& irreps) {
  std::vector<int64_t> dims;
  for (const auto& block : irreps) dims.push_back(block.dim());
  return dims;
}

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
  for (const auto& step : elementwise_) needed[step.pair] = needed[step.pair] || !is_direct(step);
  std::vector<Pieces> products(pairs_.size());
  for (std::size_t g = 0; g < pairs_.size(); ++g) {
    if (needed[g]) products[g] = pair_product(pairs_[g], x1_blocks, x2_blocks);
  }
  const at::Tensor scaled = weight * constants_.get(scale_slot_, weight);
  const Pieces weights = scaled.split_with_sizes(weight_sizes_, -1);

  std::vector<std::vector<at::Tensor>> contributions(out_.size());  // [Z, m, mul] each
  for (const auto& step : elementwise_) {
    contributions[instructions_[step.instruction].i_out].push_back(
        is_direct(step) ? direct_step(step, x1_blocks, x2_blocks, weights) : transposed_step(step, products, weights));
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
