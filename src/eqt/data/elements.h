#pragma once
// Chemical element symbols <-> atomic numbers, as ASE's chemical_symbols (0 is the dummy "X").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eqt::data {

constexpr int64_t kMaxAtomicNumber = 118;

// Exact, case-sensitive lookup ("Cl" -> 17); nullopt for anything else.
std::optional<int64_t> atomic_number(std::string_view symbol);
// ASE capitalises species read from extxyz ("CL", "cl" -> "Cl") before the lookup; so does this.
std::optional<int64_t> atomic_number_capitalized(std::string_view symbol);
// "X" for 0; fails for numbers outside [0, 118].
const std::string& chemical_symbol(int64_t number);

}  // namespace eqt::data
