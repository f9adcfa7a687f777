#include "eqt/core/cuda_sync_check.h"

#include <cstdlib>
#include <cstring>

#include "eqt/core/error.h"

// LibTorch's switch lives in c10's CUDA headers, which need the CUDA runtime's; a CPU-only
// LibTorch has neither library behind them (Debian's ships the c10 headers all the same).
#if __has_include(<ATen/cuda/CUDAConfig.h>) && __has_include(<cuda_runtime_api.h>)
#include <c10/cuda/CUDAFunctions.h>
#define EQT_CUDA_SYNC_CHECK_AVAILABLE 1
#else
#define EQT_CUDA_SYNC_CHECK_AVAILABLE 0
#endif

namespace eqt {

namespace {

// 0 off, 1 warn, 2 error (c10::cuda::SyncDebugMode's values), read once.
int requested_mode() {
  static const int mode = [] {
    const char* text = std::getenv("EQT_CUDA_SYNC_CHECK");
    if (!text || !*text || std::strcmp(text, "off") == 0) return 0;
    if (std::strcmp(text, "warn") == 0) return 1;
    if (std::strcmp(text, "error") == 0) return 2;
    fail("EQT_CUDA_SYNC_CHECK='{}': give warn, error or off", text);
  }();
  return mode;
}

}  // namespace

#if EQT_CUDA_SYNC_CHECK_AVAILABLE
CudaSyncCheck::CudaSyncCheck() {
  const int mode = requested_mode();
  if (mode == 0) return;
  previous_ = static_cast<int>(c10::cuda::warning_state().get_sync_debug_mode());
  c10::cuda::warning_state().set_sync_debug_mode(static_cast<c10::cuda::SyncDebugMode>(mode));
}

CudaSyncCheck::~CudaSyncCheck() {
  if (requested_mode() == 0) return;
  c10::cuda::warning_state().set_sync_debug_mode(static_cast<c10::cuda::SyncDebugMode>(previous_));
}
#else
CudaSyncCheck::CudaSyncCheck() { requested_mode(); }  // a misspelt value is an error on every build
CudaSyncCheck::~CudaSyncCheck() = default;
#endif

}  // namespace eqt
