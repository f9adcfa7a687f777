#include "eqt/data/extxyz_properties.h"

#include <algorithm>
#include <cmath>

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

at::ScalarType storage_type(ColumnType type) {
  switch (type) {
    case ColumnType::real: return at::kDouble;
    case ColumnType::integer: return at::kLong;
    case ColumnType::logical: return at::kBool;
    case ColumnType::text: break;
  }
  return at::kDouble;
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

AtomLineParser::AtomLineParser(std::vector<PropertyColumn> columns, int64_t num_atoms) {
  result_.columns = std::move(columns);
  for (std::size_t i = 0; i < result_.columns.size(); ++i) {
    const PropertyColumn& c = result_.columns[i];
    total_width_ += c.width;
    at::Tensor values;
    std::vector<std::string> texts;
    if (c.name == "species") {
      species_column_ = static_cast<int64_t>(i);
      result_.species_numbers = at::empty({num_atoms}, at::kLong);
    } else if (c.type == ColumnType::text) {
      texts.resize(num_atoms);
    } else {
      values = c.width == 1 ? at::empty({num_atoms}, storage_type(c.type))
                            : at::empty({num_atoms, c.width}, storage_type(c.type));
    }
    result_.values.push_back(values);
    result_.texts.push_back(std::move(texts));
  }
}

void AtomLineParser::parse(int64_t index, std::string_view line) {
  split_fields(line, fields_);
  if (static_cast<int64_t>(fields_.size()) != total_width_) {
    fail("atom line has {} fields, but Properties={} needs {}", fields_.size(),
         format_properties(result_.columns), total_width_);
  }
  std::size_t field = 0;
  for (std::size_t c = 0; c < result_.columns.size(); ++c) {
    for (int64_t k = 0; k < result_.columns[c].width; ++k) {
      parse_field(c, index, k, fields_[field++]);
    }
  }
}

void AtomLineParser::parse_field(std::size_t column, int64_t index, int64_t component,
                                 std::string_view field) {
  const PropertyColumn& c = result_.columns[column];
  const int64_t offset = index * c.width + component;
  switch (c.type) {
    case ColumnType::real: {
      const auto value = parse_python_float(field);
      if (!value) fail("property '{}' (R): '{}' is not a number", c.name, field);
      if (c.name == "pos" && !std::isfinite(*value)) {
        fail("position of atom {} is not finite: '{}'", index, field);
      }
      result_.values[column].data_ptr<double>()[offset] = *value;
      return;
    }
    case ColumnType::integer: {
      const auto value = parse_int64(field);
      if (!value) fail("property '{}' (I): '{}' is not an integer", c.name, field);
      if (c.name == "Z" && (*value < 0 || *value > kMaxAtomicNumber)) {
        fail("Z = {} is not an atomic number (0..{})", *value, kMaxAtomicNumber);
      }
      result_.values[column].data_ptr<int64_t>()[offset] = *value;
      return;
    }
    case ColumnType::logical: {
      const bool is_true = field == "T" || field == "True";
      if (!is_true && field != "F" && field != "False") {
        fail("property '{}' (L): '{}' is not T, F, True or False", c.name, field);
      }
      result_.values[column].data_ptr<bool>()[offset] = is_true;
      return;
    }
    case ColumnType::text: break;
  }
  if (static_cast<int64_t>(column) != species_column_) {
    result_.texts[column][index] = std::string(field);
    return;
  }
  const auto number = atomic_number_capitalized(field);
  if (!number) fail("species '{}' is not a chemical element symbol", field);
  result_.species_numbers.data_ptr<int64_t>()[index] = *number;
}

AtomColumns AtomLineParser::finish() && { return std::move(result_); }

}  // namespace eqt::data
