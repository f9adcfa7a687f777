#pragma once

namespace eqt {

// LibTorch starts with a single intra-op thread on some builds, so eqt always sets the count itself.
// `count <= 0` means the default: $OMP_NUM_THREADS when set to a positive number, else all cores.
void set_num_threads(int count);
int hardware_threads();
int default_threads();

// While alive and `active`, the calling thread's parallel regions (ATen's parallel_for, oneDNN's
// GEMMs) run on that thread alone; the previous count comes back afterwards. Other threads are
// not affected (the OpenMP thread count is a per-thread setting). For work too small to pay for
// waking the other threads, which costs tens of microseconds per parallel region.
class OneThreadScope {
 public:
  explicit OneThreadScope(bool active);
  ~OneThreadScope();
  OneThreadScope(const OneThreadScope&) = delete;
  OneThreadScope& operator=(const OneThreadScope&) = delete;

 private:
  int saved_ = 0;
};

}  // namespace eqt
