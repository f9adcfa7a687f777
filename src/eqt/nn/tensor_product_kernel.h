#pragma once
// Grouped execution of the instruction list of a TensorProduct (see tensor_product.h):
//
//  1. Clebsch-Gordan products, one per distinct (in1 block, in2 block, uv|uu) pair: every output
//     l needed from that pair shares one outer product and one matrix product with the
//     concatenated wigner_3j blocks,
//       Y[z, u, v, c] = sum_ij x1[z, u, i] x2[z, v, j] C[(i j), c]      (uu pairs: v = u)
//  2. Weights.  'uvw' / weighted 'uuw' (channel mixing) instructions are grouped by output irrep:
//     their Y slices are stacked into [z * m, rows] and multiplied by one weight matrix
//     [rows, columns] gathered from the flat weight (per-sample weights: one bmm). The other modes
//     multiply their Y slice by their block of the flat weight (broadcast) and sum over the free
//     channel.
//  3. Contributions to each output block are summed and the blocks concatenated once.
// Path weights are folded into the flat weight (one multiplication per call). The kernel avoids
// gathers/scatters along the feature dimension and batched products over the batch dimension,
// which are slow on CPU builds of LibTorch; everything large is an mm, a broadcast multiply, a
// narrow or a cat.
#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "eqt/nn/constant_cache.h"
#include "eqt/nn/irrep_major.h"
#include "eqt/so3/irreps.h"

namespace eqt::nn {

// One path of a tensor product, e3nn's Instruction. `path_weight` is the complete factor (the
// normalization included); `path_shape` the shape of its weight block.
struct TensorProductInstruction {
  int i_in1 = 0;
  int i_in2 = 0;
  int i_out = 0;
  std::string connection_mode = "uvw";  // uvw, uvu, uvv, uuw, uuu
  bool has_weight = true;
  double path_weight = 1.0;
  std::vector<int64_t> path_shape;
};

// The number of elements of a shape (a path's weight count).
inline int64_t shape_product(const std::vector<int64_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), int64_t{1}, std::multiplies<>());
}

// The dimension (mul x (2l+1)) of each block of `irreps`.
inline std::vector<int64_t> block_dims(const so3::Irreps& irreps) {
  std::vector<int64_t> dims;
  for (const auto& block : irreps) dims.push_back(block.dim());
  return dims;
}

class TensorProductKernel {
 public:
  // `instructions` are complete (normalized path_weight, path_shape filled in) and validated.
  TensorProductKernel(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                      const so3::Irreps& irreps_out,
                      const std::vector<TensorProductInstruction>& instructions);

  // x1 [Z, dim1], x2 [Z, dim2]; weight [weight_numel] (shared) or [Z, weight_numel] -> [Z, dim_out].
  at::Tensor operator()(const at::Tensor& x1, const at::Tensor& x2, const at::Tensor& weight) const;
  // The same product in the IrrepMajor layout of irreps_out (tensor_product_irrep_major.cpp). Paths
  // with a scalar input (Clebsch-Gordan = scale * identity) are broadcast products written in that
  // layout directly; the others go through the grouped CG products and one transposing cat.
  IrrepMajor irrep_major(const at::Tensor& x1, const at::Tensor& x2, const at::Tensor& weight) const;

 private:
  struct PairGroup {
    int i_in1 = 0, i_in2 = 0;
    bool diagonal = false;  // 'uu*' modes pair channel u of x1 with channel u of x2
    int64_t mul1 = 0, mul2 = 0, dim1 = 0, dim2 = 0;
    std::vector<int> ls_out;      // distinct output l, in order of first use
    std::vector<int64_t> widths;  // 2l+1 for each of ls_out
    int64_t width = 0;            // sum of widths
    int cg_slot = -1;             // [dim1 * dim2, width]
    // Non-zero when the pair has one output l, a scalar input and mul2 == 1: then its CG matrix is
    // identity_scale * identity and the product is a broadcast multiplication.
    double identity_scale = 0.0;
  };
  struct Step {  // one instruction reads piece `piece` (its output l) of the product of `pair`
    std::size_t instruction = 0;
    int pair = 0;
    std::size_t piece = 0;
    int64_t ir_dim = 0;
  };
  // Every tensor is cut with one split (a single autograd node whose backward is one cat):
  // narrowing many pieces out of one tensor would cost a full-size zero fill per piece in backward.
  using Pieces = std::vector<at::Tensor>;
  struct MixGroup {
    int64_t ir_dim = 0, rows = 0, columns = 0;
    std::vector<Step> steps;
    std::vector<int> out_blocks;  // output blocks written, in column order
    int weight_slot = -1;         // [rows * columns] positions in the scaled flat weight (+ a 0)
  };

  int pair_of(const TensorProductInstruction& ins);
  Step step_of(std::size_t n);
  void build_weight_table();
  void build_mix_groups();
  void build_cg_matrices();
  Pieces pair_product(const PairGroup& pair, const Pieces& x1_blocks, const Pieces& x2_blocks) const;
  void add_mix_group(const MixGroup& group, const std::vector<Pieces>& products, const at::Tensor& scaled,
                     std::vector<std::vector<at::Tensor>>& contributions) const;
  at::Tensor elementwise(const Step& step, const std::vector<Pieces>& products, const Pieces& weights) const;
  // For irrep_major: one instruction's contribution as [Z, 2l+1, mul_out].
  bool is_direct(const Step& step) const;
  at::Tensor direct_step(const Step& step, const Pieces& x1_blocks, const Pieces& x2_blocks,
                         const Pieces& weights) const;
  at::Tensor transposed_step(const Step& step, const std::vector<Pieces>& products, const Pieces& weights) const;
  // 'uvu' paths with one x2 channel: out[z] = M[z] @ (w[z] * x1[z]^T) with the per-sample matrix
  // M[z, k, i] = sum_j C[i, j, k] x2[z, j], as one batched small matrix product (no outer product).
  bool is_contracted(const Step& step) const;
  at::Tensor contracted_step(const Step& step, const Pieces& x1_blocks, const Pieces& x2_blocks,
                             const Pieces& weights) const;
  void build_contraction_tables();

  so3::Irreps in1_, in2_, out_;
  std::vector<TensorProductInstruction> instructions_;  // non-empty ones only
  std::vector<int64_t> weight_offsets_;                 // per instruction; -1 when unweighted
  std::vector<int64_t> weight_sizes_;                   // sizes of the weighted blocks, in order
  std::vector<int> weight_piece_;                       // per instruction: its block; -1 unweighted
  int64_t weight_numel_ = 0;
  std::vector<PairGroup> pairs_;
  std::vector<MixGroup> mixes_;
  std::vector<Step> elementwise_;
  ConstantCache constants_;
  int scale_slot_ = -1;  // [weight_numel] path weight of every flat weight entry
  // Per instruction: slot of [dim2, (2l_out+1) * dim1] with entry (j, k * dim1 + i) = C[i, j, k]
  // (times the path weight when unweighted), or -1 when the path is not contracted this way.
  std::vector<int> contraction_slot_;
};

}  // namespace eqt::nn
