#pragma once
// Equivariant linear map between direct sums of irreps, equivalent to e3nn 0.5 `o3.Linear`:
// every (i_in, i_out) pair with the same irrep is an instruction with weights [mul_in, mul_out],
//   out[i_out][w, m] = sum over instructions into i_out of path_weight * sum_u x[i_in][u, m] W[u, w]
// with path_weight = 1/sqrt(sum of mul_in over the instructions into i_out) ('element'
// normalization). The flat weight is the concatenation of the [mul_in, mul_out] blocks in
// instruction order (row-major), so e3nn's `weight` loads unchanged. Optional biases on 0e outputs
// are added unscaled; outputs no instruction reaches are zero.
//
// Execution: instructions are grouped by irrep; each group stacks its input blocks as
// [batch * (2l+1), rows], multiplies once by a [rows, columns] matrix gathered from the flat weight,
// and the output blocks are cut from the result and concatenated once. Inputs are cut with one
// split (its backward is a single cat), never with per-element gathers along the feature axis.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <string>
#include <utility>
#include <vector>

#include "eqt/nn/constant_cache.h"
#include "eqt/nn/irrep_major.h"
#include "eqt/so3/irreps.h"

namespace eqt::nn {

struct LinearInstruction {
  int i_in = 0;  // -1 for a bias
  int i_out = 0;
  std::vector<int64_t> path_shape;  // [mul_in, mul_out], or [mul_out] for a bias
  double path_weight = 1.0;
};

struct LinearOptions {
  bool biases = false;  // a bias for every 0e output block
  // (i_in, i_out) pairs; empty = every pair with equal irreps (e3nn's default).
  std::vector<std::pair<int, int>> instructions;
  bool default_instructions = true;            // false: use `instructions` even if empty
  // or "path"; "none" keeps path_weight 1 (Equiformer's LinearRS, whose init bakes in 1/sqrt(fan_in)).
  std::string path_normalization = "element";
};

class Linear : public torch::nn::Module {
 public:
  Linear(const so3::Irreps& irreps_in, const so3::Irreps& irreps_out, LinearOptions options = {});

  // x [..., irreps_in.dim] -> [..., irreps_out.dim], in the dtype/device of the parameters.
  at::Tensor forward(const at::Tensor& x) const;
  // The same map for an input in the IrrepMajor layout of irreps_in (a part per distinct irrep):
  // the group matrices read the parts in place. Returns [Z, irreps_out.dim].
  at::Tensor forward(const IrrepMajor& x) const;
  // IrrepMajor in and out: the result of each irrep's matrix product is already in that layout.
  IrrepMajor forward_to_irrep_major(const IrrepMajor& x) const;

  const so3::Irreps& irreps_in() const { return irreps_in_; }
  const so3::Irreps& irreps_out() const { return irreps_out_; }
  // Weight instructions in flat-weight order, then one bias instruction per biased output.
  const std::vector<LinearInstruction>& instructions() const { return instructions_; }
  int64_t weight_numel() const { return weight_numel_; }
  int64_t bias_numel() const { return bias_numel_; }

  at::Tensor weight;  // [weight_numel], N(0,1) at construction as e3nn
  at::Tensor bias;    // [bias_numel], zeros; undefined when there are no biases

 private:
  struct IrrepGroup {
    int64_t ir_dim = 0;
    int64_t rows = 0;             // sum of mul of the input blocks read by the group
    int64_t columns = 0;          // sum of mul of the output blocks written by the group
    std::vector<int> in_blocks;   // in row order
    std::vector<int> out_blocks;  // in column order
    int weight_index = 0;         // constant slot: [rows * columns] positions in [scaled weight, 0]
  };

  void build_instructions(const LinearOptions& options);
  void build_groups();
  IrrepGroup plan_group(const so3::Irrep& ir, const std::vector<int>& members);
  // [Z * m, rows] input of a group from the flat blocks.
  at::Tensor group_input(const IrrepGroup& group, const std::vector<at::Tensor>& x_blocks) const;
  // [Z * m, columns]: the group's matrix product of an IrrepMajor input, piece by piece (undefined
  // when x has no part for the group's irrep).
  at::Tensor group_product(const IrrepGroup& group, const IrrepMajor& x, const at::Tensor& padded_weight) const;
  at::Tensor subset_input(const IrrepGroup& group, const IrrepMajor& x) const;
  // Cuts a group's product [Z * m, columns] into its output blocks.
  void run_group(const IrrepGroup& group, const at::Tensor& product, int64_t batch,
                 std::vector<at::Tensor>& out_blocks) const;
  at::Tensor padded_weight() const;
  at::Tensor group_matrix(const IrrepGroup& group, const at::Tensor& padded_weight) const;
  // [Z, m, total mul of ir] from a group's [Z, m, columns] (blocks no instruction reaches: zeros).
  at::Tensor irrep_part(const so3::Irrep& ir, const IrrepGroup* group, const at::Tensor& y, int64_t batch) const;
  at::Tensor finish(std::vector<at::Tensor>& out_blocks, int64_t batch, const at::TensorOptions& options) const;

  so3::Irreps irreps_in_;
  so3::Irreps irreps_out_;
  std::vector<LinearInstruction> instructions_;
  int64_t weight_numel_ = 0;
  int64_t bias_numel_ = 0;
  std::vector<int64_t> weight_offsets_;  // per instruction: start in the flat weight (-1: bias)
  std::vector<int64_t> bias_offsets_;    // per output block: start in the bias (-1: none)
  std::vector<IrrepGroup> groups_;
  ConstantCache constants_;
  int weight_scale_ = -1;  // [weight_numel] path_weight of every flat weight entry
};

}  // namespace eqt::nn
