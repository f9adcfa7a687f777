#include "eqt/nn/constant_cache.h"

namespace eqt::nn {

int ConstantCache::add(const at::Tensor& master) {
  std::lock_guard<std::mutex> lock(mutex_);
  converted_.clear();  // conversions made so far lack the new slot
  masters_.push_back(master.detach().to(at::kCPU).contiguous());
  return static_cast<int>(masters_.size()) - 1;
}

at::Tensor ConstantCache::get(int slot, const at::Tensor& like) const {
  const c10::Device device = like.device();
  const c10::ScalarType dtype = like.scalar_type();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& entry : converted_) {
    if (entry.device == device && entry.dtype == dtype) return entry.tensors.at(slot);
  }
  Converted entry{device, dtype, {}};
  for (const auto& master : masters_) {
    const auto target = at::isFloatingType(master.scalar_type()) ? dtype : master.scalar_type();
    entry.tensors.push_back(master.to(device, target));
  }
  converted_.push_back(std::move(entry));
  return converted_.back().tensors.at(slot);
}

}  // namespace eqt::nn
