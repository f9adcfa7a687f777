#include "eqt/models/ecse/frame_chunks.h"

namespace eqt::models::ecse {

std::vector<int64_t> frame_chunks(const at::Tensor& structure, const at::Tensor& ptr, int64_t max_frames,
                                  int64_t max_atoms) {
  const at::Tensor s = structure.to(at::kCPU, at::kLong).contiguous();
  const at::Tensor p = ptr.to(at::kCPU, at::kLong).contiguous();
  const int64_t* frame_structure = s.data_ptr<int64_t>();
  const int64_t* offsets = p.data_ptr<int64_t>();
  std::vector<int64_t> bounds{0};
  int64_t frames = 0, atoms = 0;
  for (int64_t f = 0; f < s.numel(); ++f) {
    const int64_t size = offsets[frame_structure[f] + 1] - offsets[frame_structure[f]];
    const bool too_many_frames = max_frames > 0 && frames + 1 > max_frames;
    const bool too_many_atoms = max_atoms > 0 && atoms + size > max_atoms;
    if (frames > 0 && (too_many_frames || too_many_atoms)) {
      bounds.push_back(f);
      frames = 0;
      atoms = 0;
    }
    ++frames;
    atoms += size;
  }
  if (s.numel() > 0) bounds.push_back(s.numel());
  return bounds;
}

}  // namespace eqt::models::ecse
