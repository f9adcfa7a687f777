#include "eqt/data/python_numbers.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

namespace eqt::data {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

// Python allows '_' only between two digits; returns false for any other placement.
bool remove_digit_separators(std::string_view token, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '_') {
      out.push_back(token[i]);
      continue;
    }
    if (i == 0 || i + 1 == token.size() || !is_digit(token[i - 1]) || !is_digit(token[i + 1])) {
      return false;
    }
  }
  return true;
}

std::optional<double> parse_special_float(std::string_view body, bool negative) {
  double value;
  if (equals_ignore_case(body, "inf") || equals_ignore_case(body, "infinity")) {
    value = std::numeric_limits<double>::infinity();
  } else if (equals_ignore_case(body, "nan")) {
    value = std::numeric_limits<double>::quiet_NaN();
  } else {
    return std::nullopt;
  }
  return negative ? -value : value;
}

// Only digits, '.', and one exponent: what from_chars(general) accepts minus inf/nan/hex.
bool looks_decimal(std::string_view body) {
  if (body.empty() || !(is_digit(body.front()) || body.front() == '.')) return false;
  for (char c : body) {
    if (!is_digit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') return false;
  }
  return true;
}

std::optional<double> parse_decimal(std::string_view body) {
  if (!looks_decimal(body)) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (end != body.data() + body.size()) return std::nullopt;
  if (error == std::errc::result_out_of_range) {
    // Overflow to inf / underflow to 0, as Python does; strtod rounds these the same way.
    const std::string copy(body);
    return std::strtod(copy.c_str(), nullptr);
  }
  if (error != std::errc()) return std::nullopt;
  return value;
}

}  // namespace

bool is_python_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= '\x1c' && c <= '\x1f');
}

std::string_view strip_python_space(std::string_view text) {
  while (!text.empty() && is_python_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_python_space(text.back())) text.remove_suffix(1);
  return text;
}

IntParse parse_python_int(std::string_view token, int64_t& value) {
  std::string cleaned;
  if (token.find('_') != std::string_view::npos) {
    if (!remove_digit_separators(token, cleaned)) return IntParse::not_an_int;
    token = cleaned;
  }
  if (!token.empty() && token.front() == '+') {
    token.remove_prefix(1);
    if (!token.empty() && token.front() == '-') return IntParse::not_an_int;  // "+-5"
  }
  if (token.empty() || !(is_digit(token.front()) || token.front() == '-')) {
    return IntParse::not_an_int;
  }
  if (token.front() == '-' && (token.size() == 1 || !is_digit(token[1]))) {
    return IntParse::not_an_int;
  }
  const auto [end, error] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (end != token.data() + token.size()) return IntParse::not_an_int;
  if (error == std::errc::result_out_of_range) return IntParse::overflow;
  return error == std::errc() ? IntParse::ok : IntParse::not_an_int;
}

std::optional<int64_t> parse_int64(std::string_view token) {
  int64_t value = 0;
  if (parse_python_int(token, value) != IntParse::ok) return std::nullopt;
  return value;
}

std::optional<double> parse_python_float(std::string_view token) {
  std::string cleaned;
  if (token.find('_') != std::string_view::npos) {
    if (!remove_digit_separators(token, cleaned)) return std::nullopt;
    token = cleaned;
  }
  bool negative = false;
  if (!token.empty() && (token.front() == '+' || token.front() == '-')) {
    negative = token.front() == '-';
    token.remove_prefix(1);
  }
  if (token.empty()) return std::nullopt;
  if (std::isalpha(static_cast<unsigned char>(token.front()))) {
    return parse_special_float(token, negative);
  }
  const auto value = parse_decimal(token);
  if (!value) return std::nullopt;
  return negative ? -*value : *value;
}

}  // namespace eqt::data
