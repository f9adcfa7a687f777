#pragma once
// One atomic structure as a user's extxyz file describes it: ASE's Atoms, minus the calculator.
// Positions in Angstrom; `info` holds per-structure properties, `arrays` per-atom ones, under the
// file's own key names (energy, forces, stress, ...). Labels are looked up by configurable keys.
#include <ATen/ATen.h>

#include <array>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace eqt::data {

// A per-structure value: text, or a number / boolean / array as a tensor
// (float64, int64 or bool; shape [] for scalars, [k] or [3, 3] for arrays).
using InfoValue = std::variant<std::string, at::Tensor>;

struct Structure {
  at::Tensor numbers;    // int64 [N], atomic numbers
  at::Tensor positions;  // float64 [N, 3], Angstrom
  at::Tensor cell;       // float64 [3, 3], rows are lattice vectors; zeros when absent
  std::array<bool, 3> pbc{false, false, false};
  std::map<std::string, InfoValue> info;     // per structure, in file order of keys not kept
  std::map<std::string, at::Tensor> arrays;  // per atom: [N] or [N, k]; float64 / int64 / bool
  std::map<std::string, std::vector<std::string>> string_arrays;  // per-atom text columns
  std::vector<std::string> info_order;   // original key order, so writing preserves it
  std::vector<std::string> array_order;  // original column order (without species / pos)

  int64_t num_atoms() const { return numbers.size(0); }
  bool periodic() const { return pbc[0] || pbc[1] || pbc[2]; }
  // Lookups that fail with a clear message naming the key.
  double info_scalar(const std::string& key) const;
  at::Tensor info_tensor(const std::string& key) const;
  bool has_info(const std::string& key) const { return info.count(key) > 0; }
  bool has_array(const std::string& key) const { return arrays.count(key) > 0; }
};

// Builds a structure from atomic numbers and positions (and optionally a periodic cell).
Structure make_structure(const std::vector<int64_t>& numbers, const at::Tensor& positions,
                         const at::Tensor& cell = at::Tensor(),
                         std::array<bool, 3> pbc = {false, false, false});

}  // namespace eqt::data
