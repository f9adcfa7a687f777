#pragma once
// Gate nonlinearity, equivalent to e3nn 0.5 `nn.Gate` and to Equiformer's `fast_activation.Gate`:
//   out = [ act_i(scalars_i) ... | act_gate(gate_k) * gated_k ... ]
// where gate copy k (a scalar) multiplies every component of the k-th irrep copy of the gated
// features. Activations are normalize2mom-rescaled (see activation.h); "" means none. An odd
// scalar (0o) through an odd activation stays 0o, through an even one becomes 0e; the gated
// output parity is p_gated * p_gate_after_activation.
//
// Input layouts:
//  - GateLayout::Sorted (e3nn): the input is (scalars + gates + gated), each simplified, then
//    stably sorted by irrep (l, then o before e) and simplified, e.g. '2x0o+7x0e+2x1o+1x2e'.
//  - GateLayout::Concatenated (Equiformer): the input is [scalars | gates | gated] as given.
#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::nn {

enum class GateLayout { Sorted, Concatenated };

class Gate : public torch::nn::Module {
 public:
  // One activation name per block of irreps_scalars / irreps_gates (e3nn's lists).
  Gate(const so3::Irreps& irreps_scalars, std::vector<std::string> act_scalars,
       const so3::Irreps& irreps_gates, std::vector<std::string> act_gates, const so3::Irreps& irreps_gated,
       GateLayout layout = GateLayout::Sorted);

  // x [..., irreps_in.dim] -> [..., irreps_out.dim]
  at::Tensor forward(const at::Tensor& x) const;

  const so3::Irreps& irreps_in() const { return irreps_in_; }
  const so3::Irreps& irreps_out() const { return irreps_out_; }
  const so3::Irreps& irreps_scalars() const { return irreps_scalars_; }
  const so3::Irreps& irreps_gates() const { return irreps_gates_; }
  const so3::Irreps& irreps_gated() const { return irreps_gated_; }
  GateLayout layout() const { return layout_; }

 private:
  // Consecutive feature columns sharing one activation ("" = none).
  struct ActivationSpan {
    int64_t start = 0, size = 0;
    std::string act;
  };

  void build_layout();
  static std::vector<ActivationSpan> spans(const so3::Irreps& irreps, const std::vector<std::string>& acts);
  static at::Tensor activate(const at::Tensor& x, const std::vector<ActivationSpan>& spans);
  at::Tensor apply_gates(const at::Tensor& gated, const at::Tensor& gates) const;

  so3::Irreps irreps_scalars_, irreps_gates_, irreps_gated_;
  std::vector<std::string> act_scalars_, act_gates_;
  GateLayout layout_;
  so3::Irreps irreps_in_, irreps_out_;
  std::vector<ActivationSpan> scalar_spans_, gate_spans_;
  // Sorted layout: the input is cut into the sorted blocks, which are put back in the order
  // [scalars | gates | gated]; canonical block k is input block canonical_order_[k].
  bool reorder_ = false;
  std::vector<int64_t> input_block_dims_;
  std::vector<int> canonical_order_;
};

}  // namespace eqt::nn
