#include "eqt/models/pet/token_rows.h"

namespace eqt::models::pet {

PackedLayout pack_tokens(const at::Tensor& padding, bool central_token) {
  const int64_t n = padding.size(0), k = padding.size(1);
  const int64_t offset = central_token ? 1 : 0;
  PackedLayout out;
  out.neighbour_index = (~padding).reshape({-1}).nonzero().view({-1});
  const int64_t t = k + offset;
  // row * K + k  ->  row * T + k + offset
  at::Tensor neighbour_slots = out.neighbour_index + (out.neighbour_index.div(std::max<int64_t>(k, 1), "floor") * offset + offset);
  if (central_token) neighbour_slots = at::cat({at::arange(n, padding.options().dtype(at::kLong)) * t, neighbour_slots});
  out.tokens.rows = n;
  out.tokens.columns = t;
  out.tokens.slot = neighbour_slots;
  out.tokens.token = at::full({n * t}, -1, neighbour_slots.options())
                         .index_copy_(0, neighbour_slots, at::arange(neighbour_slots.size(0), neighbour_slots.options()));
  return out;
}

}  // namespace eqt::models::pet
