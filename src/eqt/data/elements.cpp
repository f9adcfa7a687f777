#include "eqt/data/elements.h"

#include <array>
#include <cctype>
#include <unordered_map>

#include "eqt/core/error.h"

namespace eqt::data {
namespace {

const std::array<std::string, kMaxAtomicNumber + 1>& symbols() {
  static const std::array<std::string, kMaxAtomicNumber + 1> table = {
      "X",  "H",  "He", "Li", "Be", "B",  "C",  "N",  "O",  "F",  "Ne", "Na", "Mg", "Al", "Si",
      "P",  "S",  "Cl", "Ar", "K",  "Ca", "Sc", "Ti", "V",  "Cr", "Mn", "Fe", "Co", "Ni", "Cu",
      "Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y",  "Zr", "Nb", "Mo", "Tc", "Ru",
      "Rh", "Pd", "Ag", "Cd", "In", "Sn", "Sb", "Te", "I",  "Xe", "Cs", "Ba", "La", "Ce", "Pr",
      "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W",
      "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac",
      "Th", "Pa", "U",  "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md", "No", "Lr", "Rf",
      "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og"};
  return table;
}

// string_view keys point into the static table above, so they stay valid.
const std::unordered_map<std::string_view, int64_t>& numbers_by_symbol() {
  static const auto map = [] {
    std::unordered_map<std::string_view, int64_t> m;
    for (int64_t z = 0; z <= kMaxAtomicNumber; ++z) m.emplace(symbols()[z], z);
    return m;
  }();
  return map;
}

}  // namespace

std::optional<int64_t> atomic_number(std::string_view symbol) {
  const auto& map = numbers_by_symbol();
  const auto it = map.find(symbol);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

std::optional<int64_t> atomic_number_capitalized(std::string_view symbol) {
  if (symbol.empty() || symbol.size() > 3) return std::nullopt;  // no symbol is longer
  char buffer[3];
  for (std::size_t i = 0; i < symbol.size(); ++i) {
    const auto c = static_cast<unsigned char>(symbol[i]);
    buffer[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c));
  }
  return atomic_number(std::string_view(buffer, symbol.size()));
}

const std::string& chemical_symbol(int64_t number) {
  if (number < 0 || number > kMaxAtomicNumber) {
    fail("atomic number {} has no chemical symbol (expected 0..{})", number, kMaxAtomicNumber);
  }
  return symbols()[number];
}

}  // namespace eqt::data
