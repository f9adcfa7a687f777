#pragma once
// Finds copies to the CPU hidden in GPU work. While an object of this class lives, LibTorch reports
// every operation that makes the host wait for a CUDA device (a copy to the host, .item(), nonzero,
// an explicit synchronisation) when the environment variable EQT_CUDA_SYNC_CHECK is "warn" (a
// LibTorch warning) or "error" (the operation throws, with its stack). Set around a model's forward
// and backward and the optimiser step, it is how scripts/gpu-check.sh shows that nothing there
// copies to the CPU. Unset, or in a build whose LibTorch has no CUDA, it does nothing.
namespace eqt {

class CudaSyncCheck {
 public:
  CudaSyncCheck();
  ~CudaSyncCheck();
  CudaSyncCheck(const CudaSyncCheck&) = delete;
  CudaSyncCheck& operator=(const CudaSyncCheck&) = delete;

 private:
  [[maybe_unused]] int previous_ = 0;  // the mode to restore (scopes nest: evaluate runs inside a training step)
};

}  // namespace eqt
