#pragma once
// The Properties=name:type:width:... descriptor of extxyz atom lines, and the parser that fills
// one tensor per property from those lines. Types: R real (float64), I integer (int64),
// L logical (T / F / True / False, bool), S string. A width-1 property is a vector [N], wider
// ones are [N, width]. The species (S:1), Z (I:1) and pos (R:3) columns are what ASE reads as
// symbols, numbers and positions.
#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eqt::data {

enum class ColumnType { real, integer, logical, text };

struct PropertyColumn {
  std::string name;
  ColumnType type = ColumnType::real;
  int64_t width = 1;
};

char type_letter(ColumnType type);
// "species:S:1:pos:R:3" -> columns. Fails on a type letter other than R I L S, a width that is
// not a positive integer, an incomplete name:type:width triple, a repeated name, and
// species / Z / pos / forces with the wrong type or width (whether pos is present is the
// caller's call).
std::vector<PropertyColumn> parse_properties(std::string_view text);
std::string format_properties(const std::vector<PropertyColumn>& columns);

// The values of all atom lines of one frame, one entry per property.
struct AtomColumns {
  std::vector<PropertyColumn> columns;
  std::vector<at::Tensor> values;                 // numeric / logical columns (undefined for S)
  std::vector<std::vector<std::string>> texts;    // S columns other than species, width 1
  at::Tensor species_numbers;                     // int64 [N] from the species column, if any
};

// Fills AtomColumns line by line, converting in place (no per-field allocation for numbers).
class AtomLineParser {
 public:
  AtomLineParser(std::vector<PropertyColumn> columns, int64_t num_atoms);
  // Parses atom `index` (lines in order); throws eqt::Error with the reason (the caller adds
  // file and line).
  void parse(int64_t index, std::string_view line);
  AtomColumns finish() &&;

 private:
  struct ColumnBuffer {
    std::vector<double> reals;
    std::vector<int64_t> ints;  // I columns, and atomic numbers for species
    std::vector<uint8_t> flags;
    std::vector<std::string> texts;
  };
  void parse_field(std::size_t column, int64_t index, std::string_view field);

  std::vector<PropertyColumn> columns_;
  std::vector<ColumnBuffer> buffers_;
  int64_t num_atoms_ = 0;
  int64_t rows_ = 0;
  int64_t total_width_ = 0;
  int64_t species_column_ = -1;
  std::vector<std::string_view> fields_;
};

}  // namespace eqt::data
