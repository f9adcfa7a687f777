#pragma once
// Number parsing with Python's int() / float() rules, because ASE types extxyz values by trying
// exactly those: "+5" and "1_000" are ints, "nan" / "inf" / "1e500" are floats, "1.0D0" is text.
// Locale-independent and allocation-free on the common path.
#include <cstdint>
#include <optional>
#include <string_view>

namespace eqt::data {

// Python's whitespace for str.split() / str.isspace() on ASCII text (includes \x1c-\x1f).
bool is_python_space(char c);
std::string_view strip_python_space(std::string_view text);

enum class IntParse { ok, not_an_int, overflow };
// Decimal integer as Python int(): optional sign, digits, single '_' between digits.
// overflow: a valid integer that does not fit int64 (numpy then falls back to float).
IntParse parse_python_int(std::string_view token, int64_t& value);
std::optional<int64_t> parse_int64(std::string_view token);

// Python float(): decimal / exponent forms, inf / infinity / nan in any case, '_' between digits.
std::optional<double> parse_python_float(std::string_view token);

}  // namespace eqt::data
