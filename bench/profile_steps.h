#pragma once
// The timing loop of the per-op profilers (profile_*_ops.cpp): warm-up steps, then `reps` steps,
// recorded as a chrome trace by LibTorch's legacy autograd profiler unless the trace is "none";
// prints the mean time per step.
#include <torch/csrc/autograd/profiler_legacy.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

namespace eqt_bench {

inline void profile_steps(const std::function<void()>& step, const std::string& mode, const std::string& trace,
                          int reps, int warmup) {
  for (int k = 0; k < warmup; ++k) step();
  const auto t0 = std::chrono::steady_clock::now();
  if (trace == "none") {
    for (int k = 0; k < reps; ++k) step();
  } else {
    torch::autograd::profiler::RecordProfile guard(trace);
    for (int k = 0; k < reps; ++k) step();
  }
  std::printf("%s: %.4f s/step\n", mode.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps);
}

}  // namespace eqt_bench
