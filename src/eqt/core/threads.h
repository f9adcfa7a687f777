#pragma once

namespace eqt {

// LibTorch starts with a single intra-op thread on some builds, so eqt always sets the count itself.
// `count <= 0` means "all cores".
void set_num_threads(int count);
int hardware_threads();

}  // namespace eqt
