#pragma once
// Where the device-aware tests (the official-parity tests of Equiformer, PET and ECSE) put their
// models: $EQT_TEST_DEVICE, "cpu" (the default), "cuda" or "cuda:N", checked by eqt::parse_device
// (a build without CUDA refuses cuda with its usual message). scripts/gpu-check.sh runs them with
// cuda; everywhere else they run on the CPU. Results are compared on the CPU: max_abs_diff and
// max_rel_diff (support/reference.h) copy both sides there.
#include <c10/core/Device.h>

#include <cstdlib>

#include "eqt/core/device.h"

namespace eqt::testing {

inline c10::Device test_device() {
  const char* text = std::getenv("EQT_TEST_DEVICE");
  return parse_device(text && *text ? text : "cpu");
}

}  // namespace eqt::testing
