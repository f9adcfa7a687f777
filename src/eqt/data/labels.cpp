#include "eqt/data/labels.h"

#include <fmt/ranges.h>

#include <cmath>

#include "eqt/core/error.h"

namespace eqt::data {
namespace {

void require_finite(const at::Tensor& t, const std::string& key) {
  if (!at::isfinite(t).all().item<bool>()) fail("label '{}' has a non-finite value", key);
}

std::optional<double> scalar_label(const Structure& s, const std::string& key) {
  if (!s.has_info(key)) return std::nullopt;
  const auto* t = std::get_if<at::Tensor>(&s.info.at(key));
  if (t == nullptr || t->numel() != 1 || t->scalar_type() == at::kBool) {
    fail("label '{}' must be one number", key);
  }
  const double value = t->to(at::kDouble).item<double>();
  if (!std::isfinite(value)) fail("label '{}' is not finite ({})", key, value);
  return value;
}

// 3x3 as it is, or 6 Voigt values; float64.
at::Tensor matrix_label(const Structure& s, const std::string& key) {
  const auto* t = std::get_if<at::Tensor>(&s.info.at(key));
  if (t == nullptr || t->scalar_type() == at::kBool) fail("label '{}' must be numeric", key);
  const at::Tensor values = t->to(at::kDouble);
  at::Tensor matrix;
  if (values.sizes() == at::IntArrayRef{3, 3}) matrix = values.contiguous();
  else if (values.sizes() == at::IntArrayRef{6}) matrix = stress_from_voigt(values);
  else fail("label '{}' must be 3x3 or 6 Voigt values, found shape [{}]", key,
                 fmt::join(values.sizes(), ", "));
  require_finite(matrix, key);
  return matrix;
}

}  // namespace

std::optional<double> energy_label(const Structure& s, const LabelKeys& keys) {
  return scalar_label(s, keys.energy);
}

std::optional<double> free_energy_label(const Structure& s, const LabelKeys& keys) {
  return scalar_label(s, keys.free_energy);
}

std::optional<at::Tensor> forces_label(const Structure& s, const LabelKeys& keys) {
  if (!s.has_array(keys.forces)) return std::nullopt;
  const at::Tensor& forces = s.arrays.at(keys.forces);
  if (forces.dim() != 2 || forces.size(0) != s.num_atoms() || forces.size(1) != 3 ||
      forces.scalar_type() == at::kBool) {
    fail("label '{}' must be per-atom numbers of shape [{}, 3], found [{}]", keys.forces,
         s.num_atoms(), fmt::join(forces.sizes(), ", "));
  }
  const at::Tensor values = forces.to(at::kDouble).contiguous();
  require_finite(values, keys.forces);
  return values;
}

std::optional<at::Tensor> stress_label(const Structure& s, const LabelKeys& keys) {
  if (s.has_info(keys.stress)) return matrix_label(s, keys.stress);
  if (!s.has_info(keys.virial)) return std::nullopt;
  const at::Tensor virial = matrix_label(s, keys.virial);
  const double volume = cell_volume(s);
  if (!(volume > 0)) {
    fail("label '{}': a stress from the virial needs a cell with non-zero volume", keys.virial);
  }
  return -virial / volume;
}

at::Tensor stress_from_voigt(const at::Tensor& voigt) {
  if (voigt.numel() != 6) fail("Voigt stress needs 6 values, found {}", voigt.numel());
  const at::Tensor v = voigt.reshape({6}).to(at::kDouble);
  // Voigt index of each (row, column) for the order xx yy zz yz xz xy.
  const at::Tensor index = at::tensor({0, 5, 4, 5, 1, 3, 4, 3, 2}, at::kLong);
  return v.index_select(0, index).reshape({3, 3});
}

at::Tensor voigt_from_stress(const at::Tensor& stress) {
  if (stress.sizes() != at::IntArrayRef{3, 3}) {
    fail("stress must be 3x3, found {} values", stress.numel());
  }
  const at::Tensor m = stress.to(at::kDouble);
  return at::stack({m[0][0], m[1][1], m[2][2], m[1][2], m[0][2], m[0][1]});
}

double cell_volume(const Structure& s) {
  return std::abs(at::linalg_det(s.cell.to(at::kDouble)).item<double>());
}

}  // namespace eqt::data
