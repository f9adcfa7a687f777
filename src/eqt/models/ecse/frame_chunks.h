#pragma once
// How ECSE splits its frames into backbone calls. A call on frames f0..f1 evaluates one rotated
// copy of structure[f] per frame, so its memory grows with the number of copy-atoms
// sum_f atoms(structure[f]); chunks are cut greedily so that this stays within max_atoms (but
// never fewer than one frame per chunk) and the frame count within max_frames.
#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace eqt::models::ecse {

// Default budget of copy-atoms per backbone call. The official default PET keeps about 0.7 MB of
// autograd graph per atom in float32 (periodic water: 15 GB for 2048 copy-atoms), so 512 atoms is
// ~4 GB in float32 (~8 GB in float64); calls of a few hundred atoms are large enough that per-call
// overheads do not matter (docs/ecse.md).
constexpr int64_t kDefaultMaxAtomsPerCall = 512;

// Start index of every chunk plus the end (frames.size()): chunk k is [bounds[k], bounds[k+1]).
// structure: int64 [F] structure of each frame; ptr: int64 [B + 1] atom offsets of the batch.
// max_frames / max_atoms <= 0 mean unlimited.
std::vector<int64_t> frame_chunks(const at::Tensor& structure, const at::Tensor& ptr, int64_t max_frames,
                                  int64_t max_atoms);

}  // namespace eqt::models::ecse
