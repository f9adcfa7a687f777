// --device parsing (core/device.h): cpu always works; cuda works only where LibTorch has CUDA and a
// GPU is visible, and otherwise fails with a message naming the LibTorch eqt was built with.
#include <gtest/gtest.h>

#include <torch/version.h>

#include <ATen/detail/CUDAHooksInterface.h>

#include "eqt/core/device.h"
#include "eqt/core/error.h"

namespace eqt {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_device(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Device, CpuIsAlwaysAvailable) {
  EXPECT_TRUE(parse_device("cpu").is_cpu());
  EXPECT_NE(libtorch_description().find(std::string("LibTorch ") + TORCH_VERSION), std::string::npos);
}

TEST(Device, CudaNeedsALibTorchWithCudaAndAGpu) {
  if (at::detail::getCUDAHooks().hasCUDA()) {
    EXPECT_TRUE(parse_device("cuda").is_cuda());
    EXPECT_TRUE(parse_device("cuda:0").is_cuda());
    EXPECT_NE(error_of("cuda:99").find("GPU(s) are visible"), std::string::npos);
  } else {
    const std::string message = error_of("cuda");
    EXPECT_NE(message.find("--device cuda: this eqt cannot use CUDA: LibTorch"), std::string::npos) << message;
    EXPECT_NE(message.find("use --device cpu"), std::string::npos) << message;
    EXPECT_NE(error_of("cuda:1").find("this eqt cannot use CUDA"), std::string::npos);
  }
}

TEST(Device, NonsenseIsRejectedWithTheChoices) {
  for (const char* text : {"tpu", "gpu", "cuda:x", ""}) {
    EXPECT_NE(error_of(text).find("give cpu, cuda or cuda:N"), std::string::npos) << text << ": " << error_of(text);
  }
  EXPECT_NE(error_of("meta").find("eqt runs on cpu or cuda devices"), std::string::npos) << error_of("meta");
}

}  // namespace
}  // namespace eqt
