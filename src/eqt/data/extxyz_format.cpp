#include "eqt/data/extxyz_format.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <cmath>
#include <optional>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_comment.h"
#include "eqt/data/labels.h"
#include "eqt/data/python_numbers.h"

namespace eqt::data {
namespace {

bool is_reserved_key(const std::string& key) {
  return key == "Lattice" || key == "Properties" || key == "pbc";
}

bool needs_quotes(const std::string& text) {
  if (text.empty()) return true;
  for (char c : text) {
    if (is_python_space(c)) return true;
    switch (c) {
      case '"': case '\'': case '{': case '}': case '[': case ']': case '=': case '\\':
        return true;
      default: break;
    }
  }
  return false;
}

// What the reader gives back for a value: float64 / int64 / bool tensors.
at::Tensor normalized(const at::Tensor& t) {
  if (t.scalar_type() == at::kBool) return t;
  if (at::isFloatingType(t.scalar_type())) return t.to(at::kDouble);
  if (at::isIntegralType(t.scalar_type(), /*includeBool=*/false)) return t.to(at::kLong);
  fail("cannot write a tensor of type {}", c10::toString(t.scalar_type()));
}

std::string format_element(const at::Tensor& t) {
  if (t.scalar_type() == at::kBool) return t.item<bool>() ? "T" : "F";
  if (t.scalar_type() == at::kLong) return std::to_string(t.item<int64_t>());
  return format_real(t.item<double>());
}

// Space-separated values: read back as a scalar (0-d) or a 1-D array of two or more.
std::string plain_text(const at::Tensor& t) {
  if (t.dim() == 0) return format_element(t);
  std::string text;
  for (int64_t i = 0; i < t.size(0); ++i) {
    if (i > 0) text += ' ';
    text += format_element(t[i]);
  }
  return text;
}

nlohmann::json to_json(const at::Tensor& t) {
  if (t.dim() == 0) {
    if (t.scalar_type() == at::kBool) return t.item<bool>();
    if (t.scalar_type() == at::kLong) return t.item<int64_t>();
    const double value = t.item<double>();
    if (!std::isfinite(value)) fail("a non-finite value ({}) cannot be written as JSON", value);
    return value;
  }
  nlohmann::json list = nlohmann::json::array();
  for (int64_t i = 0; i < t.size(0); ++i) list.push_back(to_json(t[i]));
  return list;
}

// JSON text whose floats keep a '.' (json.loads must see floats, not ints).
std::string json_text(const at::Tensor& t) {
  if (t.dim() == 0) {
    const nlohmann::json j = to_json(t);
    return j.is_number_float() ? format_real(j.get<double>()) : j.dump();
  }
  std::string text = "[";
  for (int64_t i = 0; i < t.size(0); ++i) {
    if (i > 0) text += ", ";
    text += json_text(t[i]);
  }
  return text + "]";
}

bool same_value(const InfoValue& a, const InfoValue& b) {
  if (a.index() != b.index()) return false;
  if (const auto* text = std::get_if<std::string>(&a)) return *text == std::get<std::string>(b);
  const at::Tensor& x = std::get<at::Tensor>(a);
  const at::Tensor& y = std::get<at::Tensor>(b);
  if (x.scalar_type() != y.scalar_type() || x.sizes() != y.sizes()) return false;
  if (x.numel() == 0) return true;
  if (x.scalar_type() != at::kDouble) return at::equal(x, y);
  return ((x == y) | (at::isnan(x) & at::isnan(y))).all().item<bool>();
}

bool reads_back_as(const std::string& key, const std::string& text, const InfoValue& expected) {
  if (text.empty()) return false;  // key="" swallows the next pair in ASE's parser
  try {
    const auto entries = parse_comment_line(quote_if_needed(key) + "=" + quote_if_needed(text));
    return entries.size() == 1 && entries[0].key == key && same_value(entries[0].value, expected);
  } catch (const Error&) {
    return false;
  }
}

std::vector<std::string> text_candidates(const std::string& text) {
  std::string json;
  try {
    json = nlohmann::json(text).dump();
  } catch (const nlohmann::json::exception&) {
    return {text};  // not valid UTF-8: only the plain form can work
  }
  return {text, "_JSON " + json};
}

std::vector<std::string> tensor_candidates(const std::string& key, at::Tensor& value) {
  if (is_matrix_key(key)) {
    if (value.sizes() == at::IntArrayRef{6}) value = stress_from_voigt(value);
    if (value.sizes() != at::IntArrayRef{3, 3}) {
      fail("info '{}' must be 3x3 or 6 Voigt values to be written, found shape [{}]", key,
           fmt::join(value.sizes(), ", "));
    }
    return {plain_text(value.t().reshape({9}))};  // Fortran order, as ASE writes it
  }
  std::vector<std::string> candidates;
  if (value.dim() <= 1) candidates.push_back(plain_text(value));
  try {
    candidates.push_back("_JSON " + json_text(value));
  } catch (const Error&) {
    if (candidates.empty()) throw;
  }
  return candidates;
}

}  // namespace

std::string format_real(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_not_of("-0123456789") == std::string::npos) text += ".0";
  return text;
}

std::string quote_if_needed(const std::string& text) {
  if (!needs_quotes(text)) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "\"";
}

std::string format_info_pair(const std::string& key, const InfoValue& value) {
  if (key.empty()) fail("info has an empty key, which extxyz cannot store");
  if (is_reserved_key(key)) {
    fail("info key '{}' is reserved by extxyz (it is written from the cell / pbc / arrays)", key);
  }
  InfoValue expected = value;
  std::vector<std::string> candidates;
  if (const auto* text = std::get_if<std::string>(&value)) {
    candidates = text_candidates(*text);
  } else {
    at::Tensor t = normalized(std::get<at::Tensor>(value).contiguous());
    candidates = tensor_candidates(key, t);
    expected = t;  // after the Voigt -> 3x3 conversion, what the reader returns
  }
  for (const auto& candidate : candidates) {
    if (reads_back_as(key, candidate, expected)) {
      return quote_if_needed(key) + "=" + quote_if_needed(candidate);
    }
  }
  fail("info '{}' cannot be written so that ASE reads the same value back (tried: {})", key,
       fmt::join(candidates, " | "));
}

}  // namespace eqt::data
