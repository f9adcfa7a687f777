#include "eqt/data/extxyz_properties.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/data/python_numbers.h"

namespace eqt::data {
namespace {

std::vector<std::string_view> split_on(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

ColumnType parse_type(std::string_view letter, std::string_view name) {
  if (letter == "R") return ColumnType::real;
  if (letter == "I") return ColumnType::integer;
  if (letter == "L") return ColumnType::logical;
  if (letter == "S") return ColumnType::text;
  fail("Properties: property '{}' has type '{}', expected one of R I L S", name, letter);
}

// The columns ASE gives a fixed meaning must have the shape that meaning needs.
void check_special_column(const PropertyColumn& c) {
  const auto require = [&](ColumnType type, int64_t width, const char* what) {
    if (c.type != type || c.width != width) {
      fail("Properties: '{}' ({}) must be {}:{}:{}, found {}:{}:{}", c.name, what, c.name,
           type_letter(type), width, c.name, type_letter(c.type), c.width);
    }
  };
  if (c.name == "species") require(ColumnType::text, 1, "chemical symbols");
  if (c.name == "Z") require(ColumnType::integer, 1, "atomic numbers");
  if (c.name == "pos") require(ColumnType::real, 3, "positions");
  if (c.name == "forces") require(ColumnType::real, 3, "ASE's per-atom forces");
  if (c.type == ColumnType::text && c.width != 1) {
    fail("Properties: string property '{}' has width {}; only width 1 is supported", c.name,
         c.width);
  }
}

void split_fields(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_python_space(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_python_space(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
}

}  // namespace

char type_letter(ColumnType type) {
  switch (type) {
    case ColumnType::real: return 'R';
    case ColumnType::integer: return 'I';
    case ColumnType::logical: return 'L';
    case ColumnType::text: return 'S';
  }
  return '?';
}

std::vector<PropertyColumn> parse_properties(std::string_view text) {
  const auto parts = split_on(text, ':');
  if (parts.size() % 3 != 0) {
    fail("Properties: '{}' has {} ':'-separated fields, expected name:type:width triples", text,
         parts.size());
  }
  std::vector<PropertyColumn> columns;
  for (std::size_t i = 0; i < parts.size(); i += 3) {
    PropertyColumn c;
    c.name = std::string(parts[i]);
    if (c.name.empty()) fail("Properties: '{}' has an empty property name", text);
    c.type = parse_type(parts[i + 1], c.name);
    const auto width = parse_int64(parts[i + 2]);
    if (!width || *width < 1) {
      fail("Properties: property '{}' has width '{}', expected a positive integer", c.name,
           parts[i + 2]);
    }
    c.width = *width;
    check_special_column(c);
    const auto same_name = [&](const PropertyColumn& o) { return o.name == c.name; };
    if (std::any_of(columns.begin(), columns.end(), same_name)) {
      fail("Properties: property '{}' appears twice", c.name);
    }
    columns.push_back(std::move(c));
  }
  return columns;
}

std::string format_properties(const std::vector<PropertyColumn>& columns) {
  std::string text;
  for (const auto& c : columns) {
    if (!text.empty()) text += ':';
    text += c.name + ':' + type_letter(c.type) + ':' + std::to_string(c.width);
  }
  return text;
}

AtomLineParser::AtomLineParser(std::vector<PropertyColumn> columns, int64_t num_atoms)
    : columns_(std::move(columns)), buffers_(columns_.size()), num_atoms_(num_atoms) {
  // Buffers grow with the lines actually read, so an absurd atom count in a truncated or
  // corrupt file fails as "truncated" instead of allocating gigabytes up front.
  const auto expected = static_cast<std::size_t>(std::min<int64_t>(num_atoms, 1 << 16));
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const PropertyColumn& c = columns_[i];
    total_width_ += c.width;
    if (c.name == "species") species_column_ = static_cast<int64_t>(i);
    ColumnBuffer& b = buffers_[i];
    switch (c.type) {
      case ColumnType::real: b.reals.reserve(expected * c.width); break;
      case ColumnType::integer: b.ints.reserve(expected * c.width); break;
      case ColumnType::logical: b.flags.reserve(expected * c.width); break;
      case ColumnType::text: b.texts.reserve(expected); break;
    }
  }
}

void AtomLineParser::parse(int64_t index, std::string_view line) {
  split_fields(line, fields_);
  if (static_cast<int64_t>(fields_.size()) != total_width_) {
    fail("atom line has {} fields, but Properties={} needs {}", fields_.size(),
         format_properties(columns_), total_width_);
  }
  std::size_t field = 0;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    for (int64_t k = 0; k < columns_[c].width; ++k) parse_field(c, index, fields_[field++]);
  }
  ++rows_;
}

void AtomLineParser::parse_field(std::size_t column, int64_t index, std::string_view field) {
  const PropertyColumn& c = columns_[column];
  ColumnBuffer& b = buffers_[column];
  switch (c.type) {
    case ColumnType::real: {
      const auto value = parse_python_float(field);
      if (!value) fail("property '{}' (R): '{}' is not a number", c.name, field);
      if (c.name == "pos" && !std::isfinite(*value)) {
        fail("position of atom {} is not finite: '{}'", index, field);
      }
      b.reals.push_back(*value);
      return;
    }
    case ColumnType::integer: {
      const auto value = parse_int64(field);
      if (!value) fail("property '{}' (I): '{}' is not an integer", c.name, field);
      if (c.name == "Z" && (*value < 0 || *value > kMaxAtomicNumber)) {
        fail("Z = {} is not an atomic number (0..{})", *value, kMaxAtomicNumber);
      }
      b.ints.push_back(*value);
      return;
    }
    case ColumnType::logical: {
      const bool is_true = field == "T" || field == "True";
      if (!is_true && field != "F" && field != "False") {
        fail("property '{}' (L): '{}' is not T, F, True or False", c.name, field);
      }
      b.flags.push_back(is_true ? 1 : 0);
      return;
    }
    case ColumnType::text: break;
  }
  if (static_cast<int64_t>(column) != species_column_) {
    b.texts.emplace_back(field);
    return;
  }
  const auto number = atomic_number_capitalized(field);
  if (!number) fail("species '{}' is not a chemical element symbol", field);
  b.ints.push_back(*number);
}

namespace {

template <typename T>
at::Tensor to_tensor(const std::vector<T>& values, at::ScalarType type, int64_t rows,
                     int64_t width) {
  const std::vector<int64_t> shape =
      width == 1 ? std::vector<int64_t>{rows} : std::vector<int64_t>{rows, width};
  at::Tensor t = at::empty(shape, type);
  if (!values.empty()) std::memcpy(t.data_ptr(), values.data(), values.size() * sizeof(T));
  return t;
}

}  // namespace

AtomColumns AtomLineParser::finish() && {
  if (rows_ != num_atoms_) fail("{} atom lines parsed, {} expected", rows_, num_atoms_);
  AtomColumns result;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const PropertyColumn& c = columns_[i];
    ColumnBuffer& b = buffers_[i];
    at::Tensor values;
    std::vector<std::string> texts;
    if (static_cast<int64_t>(i) == species_column_) {
      result.species_numbers = to_tensor(b.ints, at::kLong, rows_, 1);
    } else if (c.type == ColumnType::real) {
      values = to_tensor(b.reals, at::kDouble, rows_, c.width);
    } else if (c.type == ColumnType::integer) {
      values = to_tensor(b.ints, at::kLong, rows_, c.width);
    } else if (c.type == ColumnType::logical) {
      values = to_tensor(b.flags, at::kBool, rows_, c.width);  // bool tensors hold 0 / 1 bytes
    } else {
      texts = std::move(b.texts);
    }
    result.values.push_back(values);
    result.texts.push_back(std::move(texts));
  }
  result.columns = std::move(columns_);
  return result;
}

}  // namespace eqt::data
