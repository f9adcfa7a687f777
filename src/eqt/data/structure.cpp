#include "eqt/data/structure.h"

#include "eqt/core/error.h"

namespace eqt::data {

at::Tensor Structure::info_tensor(const std::string& key) const {
  const auto it = info.find(key);
  if (it == info.end()) fail("structure has no property '{}'", key);
  if (const auto* t = std::get_if<at::Tensor>(&it->second)) return *t;
  fail("property '{}' is text, expected a number", key);
}

double Structure::info_scalar(const std::string& key) const {
  const at::Tensor t = info_tensor(key);
  if (t.numel() != 1) fail("property '{}' has {} values, expected one number", key, t.numel());
  return t.to(at::kDouble).item<double>();
}

Structure make_structure(const std::vector<int64_t>& numbers, const at::Tensor& positions,
                         const at::Tensor& cell, std::array<bool, 3> pbc) {
  Structure s;
  s.numbers = at::tensor(numbers, at::kLong);
  s.positions = positions.to(at::kDouble).contiguous();
  if (s.positions.dim() != 2 || s.positions.size(0) != static_cast<int64_t>(numbers.size()) ||
      s.positions.size(1) != 3) {
    fail("positions must have shape [{}, 3]", numbers.size());
  }
  s.cell = cell.defined() ? cell.to(at::kDouble).reshape({3, 3}).contiguous()
                          : at::zeros({3, 3}, at::kDouble);
  s.pbc = pbc;
  return s;
}

}  // namespace eqt::data
