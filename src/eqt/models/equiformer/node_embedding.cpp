#include "eqt/models/equiformer/node_embedding.h"

#include <cmath>

#include "eqt/core/error.h"

namespace eqt::models::equiformer {

NodeEmbedding::NodeEmbedding(const so3::Irreps& irreps_node_embedding, int64_t max_atom_type,
                             c10::ScalarType dtype)
    : max_atom_type_(max_atom_type) {
  atom_type_lin = register_module(
      "atom_type_lin",
      std::make_shared<LinearRS>(so3::Irreps(static_cast<int>(max_atom_type), so3::Irrep(0, 1)),
                                     irreps_node_embedding, true, dtype));
  // The official init scales by sqrt(max_atom_type) (one-hot inputs have fan-in 1, not max_atom_type).
  at::NoGradGuard no_grad;
  atom_type_lin->tp->weight.mul_(std::sqrt(static_cast<double>(max_atom_type)));
}

at::Tensor NodeEmbedding::forward(const at::Tensor& type_index, c10::ScalarType dtype) const {
  if (type_index.numel() > 0) {
    const int64_t lo = type_index.min().item<int64_t>();
    const int64_t hi = type_index.max().item<int64_t>();
    if (lo < 0 || hi >= max_atom_type_) {
      fail("Equiformer: atom type index {} outside [0, {}) (unsupported element?)", lo < 0 ? lo : hi,
           max_atom_type_);
    }
  }
  const at::Tensor one_hot =
      at::one_hot(type_index, max_atom_type_).to(atom_type_lin->tp->weight.options().dtype(dtype));
  return atom_type_lin->forward(one_hot);
}

}  // namespace eqt::models::equiformer
