#include "eqt/parallel/device_of_rank.h"

#include <ATen/detail/CUDAHooksInterface.h>

#include "eqt/core/device.h"

namespace eqt::parallel {

c10::Device device_of_rank(const c10::Device& requested, const LaunchInfo& launch, int visible_gpus) {
  if (!requested.is_cuda() || requested.has_index() || launch.world_size == 1 || visible_gpus < 1) return requested;
  return {c10::kCUDA, static_cast<c10::DeviceIndex>(launch.local_rank % visible_gpus)};
}

c10::Device device_for_launch(const c10::Device& requested, const LaunchInfo& launch) {
  if (!requested.is_cuda()) return requested;  // no GPU query on a CPU run
  return device_of_rank(requested, launch, at::detail::getCUDAHooks().getNumGPUs());
}

c10::Device device_for_this_process(const std::string& text) {
  const c10::Device requested = parse_device(text);
  if (!requested.is_cuda()) return requested;
  return device_for_launch(requested, launch_info_from_environment());
}

}  // namespace eqt::parallel
