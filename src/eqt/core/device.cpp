#include "eqt/core/device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <exception>

#include "eqt/core/error.h"

namespace eqt {

namespace {
// A LibTorch with CUDA ships ATen's CUDA headers (Debian's libtorch-cuda-dev, PyTorch's wheels).
#if __has_include(<ATen/cuda/CUDAConfig.h>)
constexpr bool kLibTorchHasCuda = true;
#else
constexpr bool kLibTorchHasCuda = false;
#endif
}  // namespace

std::string libtorch_description() {
  if (!kLibTorchHasCuda) return fmt::format("LibTorch {}, built without CUDA (CPU only)", TORCH_VERSION);
  if (!at::detail::getCUDAHooks().hasCUDA()) return fmt::format("LibTorch {} with CUDA, but no GPU is visible", TORCH_VERSION);
  return fmt::format("LibTorch {} with CUDA, {} GPU(s) visible", TORCH_VERSION, at::detail::getCUDAHooks().getNumGPUs());
}

c10::Device parse_device(const std::string& text) {
  c10::Device device(c10::kCPU);
  try {
    device = c10::Device(text);
  } catch (const std::exception&) {
    fail("--device '{}': give cpu, cuda or cuda:N", text);
  }
  if (device.is_cpu()) return device;
  if (!device.is_cuda()) fail("--device '{}': eqt runs on cpu or cuda devices", text);
  if (!at::detail::getCUDAHooks().hasCUDA()) {
    fail("--device {}: this eqt cannot use CUDA: {}; build it against a LibTorch with CUDA (docs/building.md), or "
         "use --device cpu",
         text, libtorch_description());
  }
  const int gpus = at::detail::getCUDAHooks().getNumGPUs();
  if (device.has_index() && device.index() >= gpus) {
    fail("--device {}: only {} GPU(s) are visible (cuda:0 to cuda:{})", text, gpus, gpus - 1);
  }
  return device;
}

}  // namespace eqt
