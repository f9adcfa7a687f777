#pragma once
// Grouped execution of an instruction list of a TensorProduct (see tensor_product.h), designed
// for few, large ATen ops rather than one einsum per instruction:
//
//  1. Clebsch-Gordan products, one per distinct (in1 block, in2 block, uv|uu) pair: all output l
//     needed from that pair share one matrix product with their concatenated wigner_3j,
//       Y[z, u, v, c] = sum_ij x1[z, u, i] x2[z, v, j] C[i, j, c]
//     computed as (x2 . C) first (one mm), then a batched product with x1 (one bmm).
//  2. Weights.  'uvw' / 'uuw' (channel mixing) instructions are grouped by output irrep: their Y
//     slices are stacked into [z, m, rows] and multiplied by one weight matrix [rows, columns]
//     (shared: mm; per sample: bmm) gathered from the flat weight. 'uvu' / 'uvv' / 'uuu' (and
//     unweighted) instructions are elementwise: Y * gathered weight, summed into the outputs.
//  3. One final gather (or index_add where several terms reach one output element) lays the
//     results out as irreps_out.
// Path weights are folded into the flat weight (scaled once per call) so they cost nothing extra.
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "eqt/nn/constant_cache.h"
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

class TensorProductKernel {
 public:
  // `instructions` are complete (normalized path_weight, path_shape filled in) and validated.
  TensorProductKernel(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                      const so3::Irreps& irreps_out,
                      const std::vector<TensorProductInstruction>& instructions);

  // x1 [Z, dim1], x2 [Z, dim2]; weight [weight_numel] (shared) or [Z, weight_numel] -> [Z, dim_out].
  at::Tensor operator()(const at::Tensor& x1, const at::Tensor& x2, const at::Tensor& weight) const;

 private:
  struct PairGroup {
    int i_in1 = 0, i_in2 = 0;
    bool diagonal = false;  // 'uu*' modes pair channel u of x1 with channel u of x2
    int64_t mul1 = 0, mul2 = 0, dim1 = 0, dim2 = 0;
    std::vector<int> ls_out;  // distinct output l, in order of first use
    int64_t width = 0;        // sum of 2l+1 over ls_out
    int cg_slot = -1;         // [dim2, dim1 * width]
  };
  struct Piece {  // the Y slice of one instruction: Y_pair[..., column : column + ir_dim]
    int pair = 0;
    int64_t column = 0;
    int64_t ir_dim = 0;
    int64_t rows = 0;  // mixing: number of (u, v) or (u) rows
  };
  struct MixGroup {
    int64_t ir_dim = 0, rows = 0, columns = 0;
    std::vector<Piece> pieces;
    int weight_slot = -1;  // [rows * columns] positions in the extended weight
  };

  int pair_of(const TensorProductInstruction& ins);
  int64_t column_of(int pair, int l_out) const;
  void build_weight_tables();
  void build_mix_groups(std::vector<int64_t>& destinations);
  void build_elementwise(std::vector<int64_t>& destinations);
  void build_pairs_and_output(const std::vector<int64_t>& destinations);
  at::Tensor pair_product(const PairGroup& pair, const at::Tensor& x1, const at::Tensor& x2) const;
  at::Tensor extended_weight(const at::Tensor& weight, int64_t batch) const;
  at::Tensor piece_slice(const std::vector<at::Tensor>& products, const Piece& piece) const;

  so3::Irreps in1_, in2_, out_;
  std::vector<TensorProductInstruction> instructions_;  // non-empty ones only
  std::vector<int64_t> weight_offsets_;                 // per instruction; -1 when unweighted
  std::vector<int> const_slots_;                        // per instruction: its pw in the constants
  int64_t weight_numel_ = 0;
  int64_t const_count_ = 0;
  std::vector<PairGroup> pairs_;
  std::vector<MixGroup> mixes_;
  std::vector<Piece> elementwise_;
  ConstantCache constants_;
  int scale_slot_ = -1;        // [weight_numel] path weight of every flat weight entry
  int path_consts_slot_ = -1;  // [const_count] path weights of unweighted instructions
  int elementwise_slot_ = -1;  // [elementwise terms] positions in the extended weight
  int output_slot_ = -1;       // gather: [dim_out] positions in the results; else destinations
  bool output_by_gather_ = true;
};

}  // namespace eqt::nn
