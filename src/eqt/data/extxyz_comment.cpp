#include "eqt/data/extxyz_comment.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "eqt/core/error.h"
#include "eqt/data/python_numbers.h"

namespace eqt::data {
namespace {

// A pair being assembled: the key, then one piece per '=' (joined back with '=' at the end).
using Pieces = std::vector<std::string>;

char closing_delimiter(char c) {
  switch (c) {
    case '"': return '"';
    case '\'': return '\'';
    case '{': return '}';
    case '[': return ']';
    default: return 0;
  }
}

// '=' starts a value. ASE attaches it to the previous pair when nothing was typed since the last
// separator, which is what makes "key = value" one pair.
void start_value(std::vector<Pieces>& pairs) {
  if (pairs.back().size() == 1 && pairs.back()[0].empty()) pairs.pop_back();
  if (pairs.empty()) fail("comment line: '=' with no key before it");
  pairs.back().emplace_back();
}

std::vector<Pieces> tokenize(std::string_view line) {
  std::vector<Pieces> pairs(1, Pieces(1));
  char closing = 0;
  std::size_t quote_column = 0;
  bool escaped = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    std::string& piece = pairs.back().back();
    if (escaped) {
      piece.push_back(c);
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (closing != 0) {
      if (c == closing) closing = 0;
      else piece.push_back(c);
    } else if (const char close = closing_delimiter(c)) {
      closing = close;
      quote_column = i + 1;
    } else if (is_python_space(c)) {
      // An empty piece does not end the pair (ASE quirk: so `a="" b` gives a = "b").
      if (!piece.empty()) pairs.emplace_back(1);
    } else if (c == '=') {
      start_value(pairs);
    } else {
      piece.push_back(c);
    }
  }
  if (closing != 0) {
    fail("comment line: unterminated quote: {} opened at column {} is never closed by {}",
         line[quote_column - 1], quote_column, closing);
  }
  return pairs;
}

std::string join_value(const Pieces& pieces) {
  std::string value = pieces[1];
  for (std::size_t i = 2; i < pieces.size(); ++i) value += "=" + pieces[i];
  return value;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// ASE splits values with the regex [^\s,]+ : whitespace and commas both separate.
std::vector<std::string_view> split_value_parts(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  const auto is_separator = [](char c) { return c == ',' || is_python_space(c); };
  while (start < text.size()) {
    while (start < text.size() && is_separator(text[start])) ++start;
    std::size_t end = start;
    while (end < text.size() && !is_separator(text[end])) ++end;
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end;
  }
  return parts;
}

at::Tensor vector_or_scalar(at::Tensor values) {
  return values.numel() == 1 ? values.reshape({}) : values;
}

// numpy's np.array(parts, dtype=int), then dtype=float when that fails or overflows.
std::optional<at::Tensor> parse_numbers(const std::vector<std::string_view>& parts) {
  std::vector<int64_t> ints(parts.size());
  bool all_ints = true;
  for (std::size_t i = 0; i < parts.size() && all_ints; ++i) {
    all_ints = parse_python_int(parts[i], ints[i]) == IntParse::ok;
  }
  if (all_ints) return vector_or_scalar(at::tensor(ints, at::kLong));
  std::vector<double> floats(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto value = parse_python_float(parts[i]);
    if (!value) return std::nullopt;
    floats[i] = *value;
  }
  return vector_or_scalar(at::tensor(floats, at::kDouble));
}

// The words ASE 3.23+ reads as booleans (3.22 read only T and F; docs/data.md, "ASE versions").
std::optional<bool> boolean_word(std::string_view word) {
  if (word == "T" || word == "True" || word == "true" || word == "TRUE") return true;
  if (word == "F" || word == "False" || word == "false" || word == "FALSE") return false;
  return std::nullopt;
}

std::optional<at::Tensor> parse_booleans(const std::vector<std::string_view>& parts) {
  if (parts.empty()) return std::nullopt;
  std::vector<uint8_t> flags;
  for (const auto part : parts) {
    const auto flag = boolean_word(part);
    if (!flag) return std::nullopt;
    flags.push_back(*flag);
  }
  return vector_or_scalar(at::tensor(flags, at::kByte).to(at::kBool));
}

[[noreturn]] void fail_matrix(const std::string& key, const std::string& text) {
  fail("comment line: {} must be 9 numbers (a 3x3 matrix in Fortran order){}, got '{}'", key,
       key == "Lattice" ? "" : " or 6 Voigt numbers", text);
}

at::Tensor as_matrix(const std::string& key, const std::string& text, const at::Tensor& values) {
  if (values.numel() == 9 && values.dim() == 1) return values.reshape({3, 3}).t().contiguous();
  if (key != "Lattice" && values.numel() == 6 && values.dim() == 1) return values;
  fail_matrix(key, text);
}

struct JsonArrayInfo {
  std::vector<int64_t> shape;
  int64_t leaf_depth = -1;
  bool has_float = false, has_int = false, has_bool = false, rectangular = true, numeric = true;
};

void scan_json(const nlohmann::json& j, std::size_t depth, JsonArrayInfo& info) {
  if (j.is_array()) {
    if (info.shape.size() == depth) info.shape.push_back(static_cast<int64_t>(j.size()));
    else if (info.shape.size() < depth || info.shape[depth] != static_cast<int64_t>(j.size())) {
      info.rectangular = false;
    }
    for (const auto& element : j) scan_json(element, depth + 1, info);
    return;
  }
  // Every leaf must sit at the same depth: [1, [2]] is ragged even though its sizes agree.
  if (info.leaf_depth < 0) info.leaf_depth = static_cast<int64_t>(depth);
  if (info.shape.size() != depth || info.leaf_depth != static_cast<int64_t>(depth)) {
    info.rectangular = false;
  }
  if (j.is_boolean()) info.has_bool = true;
  else if (j.is_number_float()) info.has_float = true;
  else if (j.is_number_integer() && !j.is_number_unsigned()) info.has_int = true;
  else if (j.is_number_unsigned() && j.get<uint64_t>() <= INT64_MAX) info.has_int = true;
  else info.numeric = false;
}

template <typename T>
void flatten_json(const nlohmann::json& j, std::vector<T>& out) {
  if (j.is_array()) {
    for (const auto& element : j) flatten_json(element, out);
  } else if (j.is_boolean()) {
    out.push_back(j.get<bool>() ? T{1} : T{0});
  } else {
    out.push_back(j.get<T>());
  }
}

// np.array(json.loads(...)) for numbers and booleans: the common dtype, the nested shape.
std::optional<at::Tensor> json_to_tensor(const std::string& key, const nlohmann::json& j) {
  JsonArrayInfo info;
  scan_json(j, 0, info);
  if (!info.numeric) return std::nullopt;
  if (!info.rectangular) fail("comment line: {}: _JSON array is ragged (not rectangular)", key);
  if (!info.has_float && info.has_int) {
    std::vector<int64_t> ints;  // exact: int64 values need not survive a trip through double
    flatten_json(j, ints);
    return at::tensor(ints, at::kLong).reshape(info.shape);
  }
  std::vector<double> values;
  flatten_json(j, values);
  at::Tensor t = at::tensor(values, at::kDouble).reshape(info.shape);
  if (info.has_bool && !info.has_float) t = t.to(at::kBool);
  return t;
}

InfoValue decode_json(const std::string& key, const std::string& text) {
  const std::string body = text.substr(6);  // after "_JSON "
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) fail("comment line: {}: invalid JSON after _JSON: {}", key, body);
  if (j.is_string()) return j.get<std::string>();
  if (auto tensor = json_to_tensor(key, j)) return *tensor;
  return text;  // objects / text lists: ASE makes Python objects; kept verbatim here
}

}  // namespace

bool is_matrix_key(const std::string& key) {
  return key == "Lattice" || key == "stress" || key == "virial";
}

std::vector<std::pair<std::string, std::string>> split_comment_pairs(std::string_view line) {
  std::vector<std::pair<std::string, std::string>> result;
  for (const Pieces& pieces : tokenize(strip_python_space(line))) {
    if (pieces[0].empty()) {
      if (pieces.size() == 1) continue;  // nothing at all (an empty line)
      fail("comment line: value '{}' has an empty key", join_value(pieces));
    }
    result.emplace_back(pieces[0], pieces.size() == 1 ? std::string("T") : join_value(pieces));
  }
  return result;
}

InfoValue convert_comment_value(const std::string& key, const std::string& text) {
  if (lowercase(key) == "uid") return text;
  const auto parts = split_value_parts(text);
  if (auto numbers = parse_numbers(parts)) {
    return is_matrix_key(key) ? as_matrix(key, text, *numbers) : *numbers;
  }
  if (is_matrix_key(key)) fail_matrix(key, text);
  if (auto flags = parse_booleans(parts)) return *flags;
  if (text.rfind("_JSON ", 0) == 0) return decode_json(key, text);
  return text;
}

std::vector<CommentEntry> parse_comment_line(std::string_view line) {
  std::vector<CommentEntry> entries;
  for (auto& [key, text] : split_comment_pairs(line)) {
    InfoValue value = convert_comment_value(key, text);
    const auto same_key = [&key = key](const CommentEntry& e) { return e.key == key; };  // C++17: no implicit capture of a binding
    const auto it = std::find_if(entries.begin(), entries.end(), same_key);
    if (it != entries.end()) it->value = std::move(value);
    else entries.push_back({std::move(key), std::move(value)});
  }
  return entries;
}

}  // namespace eqt::data
