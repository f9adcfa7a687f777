#pragma once
// Where tensors live: the --device option of every verb, EqtCalculator(device=...) and pair_style
// eqt's `device` keyword ("cpu", "cuda", "cuda:N").
#include <c10/core/Device.h>

#include <string>

namespace eqt {

// Parses the text and checks that this build and machine can use the device; fails with a message
// naming the LibTorch this eqt was built with when it has no CUDA, when no GPU is visible, or when
// cuda:N names a GPU that is not there.
c10::Device parse_device(const std::string& text);

// "LibTorch 1.13.0, CPU only" / "LibTorch 2.6.0 with CUDA, 2 GPUs visible".
std::string libtorch_description();

}  // namespace eqt
