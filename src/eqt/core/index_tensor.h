#pragma once
// Index tensors built from host values (gather / scatter plans are computed on the CPU).
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace eqt {

// A 1-D int64 tensor of `values` on `device`.
inline at::Tensor long_tensor(const std::vector<int64_t>& values, const at::Device& device = at::kCPU) {
  return at::tensor(values, at::TensorOptions().dtype(at::kLong)).to(device);
}

}  // namespace eqt
