#pragma once
// Constant tensors of a module (gather indices, Clebsch-Gordan blocks, per-weight scales) built
// once on the CPU and handed out on the device / in the dtype of the inputs, converted once per
// (device, dtype). They are deliberately not module buffers: Module::to(dtype) would turn integer
// index tensors into floats, and they carry no state worth saving in a checkpoint.
#include <ATen/ATen.h>

#include <mutex>
#include <vector>

namespace eqt::nn {

class ConstantCache {
 public:
  ConstantCache() = default;
  ConstantCache(const ConstantCache&) = delete;
  ConstantCache& operator=(const ConstantCache&) = delete;

  // Registers a CPU tensor (float64 or int64) and returns its slot.
  int add(const at::Tensor& master);
  int64_t size() const { return static_cast<int64_t>(masters_.size()); }

  // Slot `slot` on like's device; floating constants also take like's dtype.
  at::Tensor get(int slot, const at::Tensor& like) const;

 private:
  struct Converted {
    c10::Device device;
    c10::ScalarType dtype;
    std::vector<at::Tensor> tensors;
  };
  std::vector<at::Tensor> masters_;
  mutable std::mutex mutex_;
  mutable std::vector<Converted> converted_;
};

}  // namespace eqt::nn
