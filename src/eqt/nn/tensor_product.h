#pragma once
// Instruction-driven tensor product, equivalent to e3nn 0.5.1 `o3.TensorProduct`:
//   out[i_out] += path_weight * (weights contracted per connection mode) * einsum(C, x1[i_in1], x2[i_in2])
// with C = wigner_3j(l1, l2, l_out). Connection modes (per instruction, weight block shape):
//   uvw [mul1, mul2, mul_out]: out[w] = sum_uv W[u,v,w] (x1_u (x) x2_v)
//   uvu [mul1, mul2]:          out[u] = sum_v  W[u,v]   (x1_u (x) x2_v)     (mul_out == mul1)
//   uvv [mul1, mul2]:          out[v] = sum_u  W[u,v]   (x1_u (x) x2_v)     (mul_out == mul2)
//   uuw [mul1, mul_out]:       out[w] = sum_u  W[u,w]   (x1_u (x) x2_u)     (mul1 == mul2)
//   uuu [mul1]:                out[u] = W[u] (x1_u (x) x2_u)                (all mul equal)
// Unweighted instructions drop W (summing over the free channel as e3nn does).
// path_weight = sqrt(alpha * given path_weight), alpha = (2l_out+1 | dim1*dim2 | 1) for irrep
// normalization (component | norm | none), divided for path normalization 'element' by the sum
// of fan-ins over instructions into the same output (uvw: mul1*mul2, uvu: mul2, uvv: mul1,
// uuw: mul1, uuu: 1), for 'path' by fan-in * number of such instructions, for 'none' not at all.
// The flat weight concatenates the path_shape blocks of the weighted instructions in order.
#include <ATen/ATen.h>
#include <c10/util/Optional.h>
#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "eqt/nn/tensor_product_kernel.h"
#include "eqt/so3/irreps.h"

namespace eqt::nn {

struct TensorProductOptions {
  std::string irrep_normalization = "component";  // component | norm | none
  std::string path_normalization = "element";     // element | path | none
  // Shared: one weight vector for the whole batch; otherwise weights [..., weight_numel] per sample.
  bool shared_weights = true;
  // Default: shared_weights and some instruction has weights (e3nn's rule).
  c10::optional<bool> internal_weights;
};

class TensorProduct : public torch::nn::Module {
 public:
  // Instructions give i_in1, i_in2, i_out, connection_mode, has_weight and an optional extra
  // path_weight (default 1); path_shape is filled in.
  TensorProduct(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2, const so3::Irreps& irreps_out,
                std::vector<TensorProductInstruction> instructions, TensorProductOptions options = {});

  // x1 [..., dim1], x2 [..., dim2] (leading dims broadcast); weight: omitted for internal weights,
  // [weight_numel] for shared external weights, [..., weight_numel] per sample.
  at::Tensor forward(const at::Tensor& x1, const at::Tensor& x2,
                     const c10::optional<at::Tensor>& weight = c10::nullopt) const;
  // The same product with the leading dims flattened to Z, in the IrrepMajor layout of irreps_out
  // (for a following Linear).
  IrrepMajor forward_irrep_major(const at::Tensor& x1, const at::Tensor& x2,
                                 const c10::optional<at::Tensor>& weight = c10::nullopt) const;

  const so3::Irreps& irreps_in1() const { return irreps_in1_; }
  const so3::Irreps& irreps_in2() const { return irreps_in2_; }
  const so3::Irreps& irreps_out() const { return irreps_out_; }
  // With the complete path_weight (normalization included) and path_shape, as e3nn lists them.
  const std::vector<TensorProductInstruction>& instructions() const { return instructions_; }
  int64_t weight_numel() const { return weight_numel_; }
  bool shared_weights() const { return shared_weights_; }
  bool internal_weights() const { return internal_weights_; }
  // The block of `flat` ([..., weight_numel]) used by instruction n, shaped [..., path_shape].
  at::Tensor weight_view(const at::Tensor& flat, int n) const;

  at::Tensor weight;  // [weight_numel] ~ N(0,1) when internal (as e3nn); undefined otherwise

 private:
  at::Tensor flat_weight(const c10::optional<at::Tensor>& weight, at::IntArrayRef batch_shape) const;
  struct Flat {
    std::vector<int64_t> batch;
    at::Tensor x1, x2, weight;  // [Z, dim1], [Z, dim2], [weight_numel] or [Z, weight_numel]
  };
  Flat flatten(const at::Tensor& x1, const at::Tensor& x2, const c10::optional<at::Tensor>& weight) const;

  so3::Irreps irreps_in1_, irreps_in2_, irreps_out_;
  std::vector<TensorProductInstruction> instructions_;
  int64_t weight_numel_ = 0;
  bool shared_weights_ = true;
  bool internal_weights_ = true;
  TensorProductKernel kernel_;
};

// Every 'uvw' path (i1, i2, i_out) with irreps_out[i_out] in irreps_in1[i1] x irreps_in2[i2],
// looping i1, i2, i_out as e3nn's FullyConnectedTensorProduct.
std::vector<TensorProductInstruction> fully_connected_instructions(const so3::Irreps& irreps_in1,
                                                                   const so3::Irreps& irreps_in2,
                                                                   const so3::Irreps& irreps_out);

class FullyConnectedTensorProduct : public TensorProduct {
 public:
  FullyConnectedTensorProduct(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                              const so3::Irreps& irreps_out, TensorProductOptions options = {});
};

}  // namespace eqt::nn
