#pragma once

namespace eqt {

// LibTorch starts with a single intra-op thread on some builds, so eqt always sets the count itself.
// `count <= 0` means the default: $OMP_NUM_THREADS when set to a positive number, else all cores.
void set_num_threads(int count);
int hardware_threads();
int default_threads();

}  // namespace eqt
