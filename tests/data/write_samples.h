#pragma once
// Structures that exercise the writer: a periodic cell with stress, a molecule with info values
// of every type, and a slab; values are full-precision doubles (sines), not round numbers.
#include <ATen/ATen.h>

#include <limits>
#include <vector>

#include "eqt/data/structure.h"

namespace eqt::data::samples {

inline at::Tensor wavy(std::vector<int64_t> shape, double phase) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return at::sin(at::arange(n, at::kDouble) * 1.7 + phase).mul(3.0).reshape(shape);
}

inline Structure periodic_with_stress() {
  const at::Tensor cell =
      at::tensor({5.1, 0.0, 0.0, 0.3, 4.9, 0.0, -0.2, 0.1, 6.05}, at::kDouble).reshape({3, 3});
  Structure s = make_structure({14, 8, 8}, wavy({3, 3}, 0.1).abs(), cell, {true, true, true});
  s.info["energy"] = at::scalar_tensor(-123.456789012345678, at::kDouble);
  s.info["free_energy"] = at::scalar_tensor(-123.5, at::kDouble);
  const at::Tensor a = wavy({3, 3}, 0.7) * 0.01;
  s.info["stress"] = (a + a.t()).contiguous();
  s.info_order = {"energy", "free_energy", "stress"};
  s.arrays["forces"] = wavy({3, 3}, 0.3);
  s.arrays["tags"] = at::tensor({1, 2, 3}, at::kLong);
  s.arrays["fixed"] = at::tensor({1, 0, 1}, at::kLong).to(at::kBool);
  s.string_arrays["label"] = {"core", "shell", "O_2"};
  s.array_order = {"forces", "tags", "fixed", "label"};
  return s;
}

inline Structure molecule_with_every_info_type() {
  Structure s = make_structure({6, 1, 1, 1, 1}, wavy({5, 3}, 0.2));
  s.info["int"] = at::scalar_tensor(42, at::kLong);
  s.info["negative"] = at::scalar_tensor(-7, at::kLong);
  s.info["float"] = at::scalar_tensor(0.1, at::kDouble);
  s.info["whole_float"] = at::scalar_tensor(3.0, at::kDouble);
  s.info["not_a_number"] = at::scalar_tensor(std::numeric_limits<double>::quiet_NaN(), at::kDouble);
  s.info["infinite"] = at::scalar_tensor(-std::numeric_limits<double>::infinity(), at::kDouble);
  s.info["yes"] = at::scalar_tensor(true, at::kBool);
  s.info["no"] = at::scalar_tensor(false, at::kBool);
  s.info["word"] = std::string("methane");
  s.info["sentence"] = std::string("a \"quoted\" word, a back\\slash and {braces} = signs");
  s.info["digits"] = std::string("12");
  s.info["letter_t"] = std::string("T");
  s.info["word_true"] = std::string("True");  // ASE 3.23+ reads a bare True as a boolean
  s.info["empty_text"] = std::string("");
  s.info["ints"] = at::tensor({1, 2, 3}, at::kLong);
  s.info["floats"] = wavy({4}, 0.9);
  s.info["flags"] = at::tensor({1, 0, 1}, at::kLong).to(at::kBool);
  s.info["one_float"] = at::tensor({2.5}, at::kDouble);
  s.info["matrix"] = at::tensor({1, 2, 3, 4, 5, 6}, at::kLong).reshape({2, 3});
  s.info["float_matrix"] = wavy({3, 3}, 0.4);
  s.info["no_floats"] = at::zeros({0}, at::kDouble);
  s.info["uid"] = std::string("12");
  for (const auto& entry : s.info) s.info_order.push_back(entry.first);
  std::swap(s.info_order.front(), s.info_order.back());  // not alphabetical: order must survive
  s.arrays["forces"] = wavy({5, 3}, 0.5);
  s.arrays["charge"] = wavy({5}, 0.6);
  s.arrays["count"] = at::tensor({5, 4, 3, 2, 1}, at::kLong);
  s.arrays["mask"] = wavy({5, 3}, 0.8).gt(0);
  s.string_arrays["kind"] = {"C_sp3", "H", "H", "H", "H"};
  s.array_order = {"mask", "forces", "kind", "charge", "count"};
  return s;
}

inline Structure slab() {
  const at::Tensor cell =
      at::tensor({2.5, 0.0, 0.0, 1.25, 2.165, 0.0, 0.0, 0.0, 20.0}, at::kDouble);
  Structure s = make_structure({29, 29}, wavy({2, 3}, 1.1).abs(), cell, {true, true, false});
  s.info["energy"] = at::scalar_tensor(-7.0, at::kDouble);
  s.info_order = {"energy"};
  return s;
}

inline std::vector<Structure> all() {
  return {periodic_with_stress(), molecule_with_every_info_type(), slab()};
}

}  // namespace eqt::data::samples
