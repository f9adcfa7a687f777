#include "eqt/models/equiformer/layers/equivariant_norm.h"

#include "eqt/core/error.h"

namespace eqt::models::equiformer {

EquivariantNorm::EquivariantNorm(so3::Irreps irreps) : irreps_(std::move(irreps)) {
  const auto slices = irreps_.slices();
  for (std::size_t i = 0; i < irreps_.size(); ++i) {
    const auto& item = irreps_[i];
    blocks_.push_back(Block{slices[i].first, item.mul, item.ir.dim(), item.ir.is_scalar()});
  }
}

void EquivariantNorm::check_input(const at::Tensor& x, const char* norm_name) const {
  if (!x.defined() || x.dim() != 2 || x.size(1) != irreps_.dim()) {
    fail("{}: expected features [N, {}] for irreps {}, got {}", norm_name, irreps_.dim(),
         irreps_.str(), x.defined() ? c10::str(x.sizes()) : std::string("undefined"));
  }
  if (!at::isFloatingType(x.scalar_type())) {
    fail("{}: features must be floating point, got {}", norm_name, c10::toString(x.scalar_type()));
  }
}

AffineEquivariantNorm::AffineEquivariantNorm(so3::Irreps irreps, double eps, bool affine,
                                             NormNormalization normalization, c10::ScalarType dtype)
    : EquivariantNorm(std::move(irreps)),
      eps_(eps),
      affine_(affine),
      normalization_(normalization) {
  if (!(eps >= 0.0)) fail("equivariant norm: eps must be non-negative, got {}", eps);
  if (!affine) return;
  const int64_t num_scalar = this->irreps().count(so3::Irrep(0, 1));
  const auto options = at::TensorOptions().dtype(dtype);
  affine_weight =
      register_parameter("affine_weight", at::ones({this->irreps().num_irreps()}, options));
  affine_bias = register_parameter("affine_bias", at::zeros({num_scalar}, options));
}

at::Tensor AffineEquivariantNorm::squared_size(const at::Tensor& field) const {
  const auto squares = field.pow(2);
  return normalization_ == NormNormalization::Component ? squares.mean(-1) : squares.sum(-1);
}

at::Tensor AffineEquivariantNorm::rescale(const at::Tensor& field, const at::Tensor& inv_scale,
                                          const Block& block, int64_t copy_offset,
                                          int64_t scalar_offset) const {
  auto factor = inv_scale;
  if (affine_) factor = factor * affine_weight.narrow(0, copy_offset, block.mul).unsqueeze(0);
  auto out = field * factor.unsqueeze(-1);
  if (affine_ && block.scalar) {
    out = out + affine_bias.narrow(0, scalar_offset, block.mul).unsqueeze(-1);
  }
  return out;
}

}  // namespace eqt::models::equiformer
