#include "eqt/models/equiformer/layers/rescale_bias.h"

#include <cmath>
#include <map>
#include <string>

#include "eqt/core/error.h"

namespace eqt::models::equiformer {

RescaleBias::RescaleBias(const so3::Irreps& irreps_out, c10::ScalarType dtype) {
  const so3::Irreps simplified = irreps_out.simplify();
  const auto slices = simplified.slices();
  std::vector<int64_t> index(irreps_out.dim(), -1);
  int64_t offset = 0;
  for (std::size_t b = 0; b < simplified.size(); ++b) {
    if (!simplified[b].ir.is_scalar()) continue;
    const int64_t mul = simplified[b].mul;
    biases_.push_back(register_parameter(std::to_string(biases_.size()),
                                         at::zeros({mul}, at::TensorOptions().dtype(dtype))));
    for (int64_t w = 0; w < mul; ++w) index[slices[b].first + w] = offset + w;
    offset += mul;
  }
  for (auto& i : index) {
    if (i < 0) i = offset;  // the appended zero
  }
  index_slot_ = constants_.add(at::tensor(index, at::kLong));
}

at::Tensor RescaleBias::forward(const at::Tensor& out) const {
  if (biases_.empty()) return out;
  std::vector<at::Tensor> pieces(biases_.begin(), biases_.end());
  pieces.push_back(at::zeros({1}, biases_.front().options()));
  const at::Tensor padded = at::cat(pieces).to(out.scalar_type());
  return out + padded.index_select(0, constants_.get(index_slot_, padded));
}

nn::IrrepMajor RescaleBias::forward(const nn::IrrepMajor& out) const {
  if (biases_.empty()) return out;
  const so3::Irrep scalar(0, 1);
  nn::IrrepMajor result = out;
  for (std::size_t k = 0; k < out.irreps.size(); ++k) {
    if (out.irreps[k] != scalar) continue;
    const at::Tensor all = at::cat(std::vector<at::Tensor>(biases_.begin(), biases_.end())).to(out.parts[k].front().scalar_type());
    const at::Tensor part = out.part(scalar);
    if (all.size(0) != part.size(2)) fail("RescaleBias: {} biases for {} scalar channels", all.size(0), part.size(2));
    result.parts[k] = {part + all.view({1, 1, -1})};
    return result;
  }
  fail("RescaleBias: the output has no scalar part for its biases");
}

std::vector<double> rescale_factors(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                                    const so3::Irreps& irreps_out, const std::vector<int>& i_in1,
                                    const std::vector<int>& i_in2, const std::vector<int>& i_out,
                                    const std::vector<std::string>& modes) {
  std::vector<double> fan_in(irreps_out.size(), 0.0);
  for (std::size_t n = 0; n < modes.size(); ++n) {
    const double mul1 = irreps_in1[i_in1[n]].mul;
    const double mul2 = irreps_in2[i_in2[n]].mul;
    const std::map<std::string, double> by_mode = {
        {"uvw", mul1 * mul2}, {"uvu", mul2}, {"uvv", mul1}, {"uuw", mul1}, {"uuu", 1.0}};
    const auto found = by_mode.find(modes[n]);
    if (found == by_mode.end()) fail("rescale_factors: unknown connection mode '{}'", modes[n]);
    fan_in[i_out[n]] += found->second;
  }
  std::vector<double> factors(irreps_out.size(), 1.0);
  for (std::size_t b = 0; b < factors.size(); ++b) {
    if (fan_in[b] > 0) factors[b] = 1.0 / std::sqrt(fan_in[b]);
  }
  return factors;
}

}  // namespace eqt::models::equiformer
