#include "eqt/md/wrap.h"

namespace eqt::md {

void wrap_positions(MdState& state) {
  if (!state.periodic()) return;
  const at::Tensor fractional = at::matmul(state.positions, at::inverse(state.cell));
  at::Tensor translations = at::floor(fractional);
  for (int d = 0; d < 3; ++d) {
    if (!state.pbc[d]) translations.select(1, d).zero_();
  }
  if (!translations.ne(0).any().item<bool>()) return;
  state.positions = state.positions - at::matmul(translations, state.cell);
  state.images = state.images + translations.to(at::kLong);
}

at::Tensor unwrapped_positions(const MdState& state) {
  return state.positions + at::matmul(state.images.to(at::kDouble), state.cell);
}

}  // namespace eqt::md
