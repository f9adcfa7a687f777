#include "eqt/data/extxyz_writer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/data/extxyz_format.h"
#include "eqt/data/extxyz_properties.h"
#include "eqt/data/output_file.h"

namespace eqt::data {
namespace {

// One per-atom column ready to print: numbers as contiguous float64 / int64 / bool, or text.
struct OutputColumn {
  PropertyColumn property;
  at::Tensor values;
  const std::vector<std::string>* texts = nullptr;
};

void check_column_name(const std::string& name) {
  if (name == "species" || name == "pos" || name == "Z") {
    fail("per-atom array '{}' clashes with the column extxyz uses for the structure itself", name);
  }
  if (name.empty() || name.find(':') != std::string::npos) {
    fail("per-atom array name '{}' cannot be written in Properties (empty or contains ':')", name);
  }
}

OutputColumn numeric_column(const std::string& name, const at::Tensor& array, int64_t n) {
  if (array.dim() < 1 || array.dim() > 2 || array.size(0) != n || array.numel() == 0) {
    fail("per-atom array '{}' has shape [{}], expected [{}] or [{}, k]", name,
         fmt::join(array.sizes(), ", "), n, n);
  }
  OutputColumn c;
  c.property.name = name;
  c.property.width = array.dim() == 1 ? 1 : array.size(1);
  const auto type = array.scalar_type();
  if (type == at::kBool) {
    c.property.type = ColumnType::logical;
    c.values = array.contiguous();
  } else if (at::isFloatingType(type)) {
    c.property.type = ColumnType::real;
    c.values = array.to(at::kDouble).contiguous();
  } else if (at::isIntegralType(type, /*includeBool=*/false)) {
    c.property.type = ColumnType::integer;
    c.values = array.to(at::kLong).contiguous();
  } else {
    fail("per-atom array '{}' has unsupported type {}", name, c10::toString(type));
  }
  return c;
}

OutputColumn text_column(const std::string& name, const std::vector<std::string>& texts,
                         int64_t n) {
  if (static_cast<int64_t>(texts.size()) != n) {
    fail("per-atom text array '{}' has {} entries for {} atoms", name, texts.size(), n);
  }
  for (const auto& text : texts) {
    const bool has_space = std::any_of(text.begin(), text.end(), [](unsigned char c) {
      return std::isspace(c) || (c >= 0x1c && c <= 0x1f);
    });
    if (text.empty() || has_space) {
      fail("per-atom text array '{}' holds '{}': atom-line fields cannot be empty or contain "
           "whitespace", name, text);
    }
  }
  OutputColumn c;
  c.property = {name, ColumnType::text, 1};
  c.texts = &texts;
  return c;
}

// array_order first, then any arrays it does not mention.
std::vector<OutputColumn> array_columns(const Structure& s) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  const auto add = [&](const std::string& name) {
    const bool exists = s.arrays.count(name) || s.string_arrays.count(name);
    if (exists && seen.insert(name).second) names.push_back(name);
  };
  for (const auto& name : s.array_order) add(name);
  for (const auto& entry : s.arrays) add(entry.first);
  for (const auto& entry : s.string_arrays) add(entry.first);
  std::vector<OutputColumn> columns;
  for (const auto& name : names) {
    check_column_name(name);
    const auto it = s.arrays.find(name);
    columns.push_back(it != s.arrays.end() ? numeric_column(name, it->second, s.num_atoms())
                                           : text_column(name, s.string_arrays.at(name),
                                                         s.num_atoms()));
  }
  return columns;
}

std::string lattice_text(const at::Tensor& cell) {
  const at::Tensor flat = cell.to(at::kDouble).contiguous().reshape({9});
  std::string text;
  for (int64_t i = 0; i < 9; ++i) {
    const double value = flat[i].item<double>();
    if (!std::isfinite(value)) fail("cell has a non-finite value ({})", value);
    text += (i > 0 ? " " : "") + format_real(value);
  }
  return text;
}

std::string comment_line(const Structure& s, const std::vector<PropertyColumn>& properties) {
  std::vector<std::string> parts;
  // Lattice is left out for an all-zero cell, as ASE does (a NaN cell is refused, not dropped).
  const bool has_lattice = s.cell.defined() && s.cell.ne(0).any().item<bool>();
  if (has_lattice) parts.push_back("Lattice=\"" + lattice_text(s.cell) + "\"");
  parts.push_back("Properties=" + quote_if_needed(format_properties(properties)));
  std::set<std::string> written;
  const auto add = [&](const std::string& key) {
    const auto it = s.info.find(key);
    if (it != s.info.end() && written.insert(key).second) {
      parts.push_back(format_info_pair(key, it->second));
    }
  };
  for (const auto& key : s.info_order) add(key);
  for (const auto& entry : s.info) add(entry.first);
  const auto flag = [](bool b) { return b ? "T" : "F"; };
  parts.push_back(fmt::format("pbc=\"{} {} {}\"", flag(s.pbc[0]), flag(s.pbc[1]), flag(s.pbc[2])));
  return fmt::format("{}", fmt::join(parts, " "));
}

void append_field(fmt::memory_buffer& out, const OutputColumn& c, int64_t atom, int64_t k) {
  const int64_t offset = atom * c.property.width + k;
  switch (c.property.type) {
    case ColumnType::real:
      fmt::format_to(std::back_inserter(out), " {:>12}",
                     format_real(c.values.data_ptr<double>()[offset]));
      return;
    case ColumnType::integer:
      fmt::format_to(std::back_inserter(out), " {:>6}", c.values.data_ptr<int64_t>()[offset]);
      return;
    case ColumnType::logical:
      fmt::format_to(std::back_inserter(out), " {}", c.values.data_ptr<bool>()[offset] ? 'T' : 'F');
      return;
    case ColumnType::text:
      fmt::format_to(std::back_inserter(out), " {}", (*c.texts)[atom]);
      return;
  }
}

void check_structure(const Structure& s) {
  if (!s.numbers.defined() || s.numbers.dim() != 1) fail("numbers must be a vector [N]");
  const int64_t n = s.num_atoms();
  if (!s.positions.defined() || s.positions.sizes() != at::IntArrayRef{n, 3}) {
    fail("positions must have shape [{}, 3]", n);
  }
  if (!at::isfinite(s.positions).all().item<bool>()) fail("positions have a non-finite value");
  if (s.cell.defined() && s.cell.numel() != 9) {
    fail("cell must be 3x3, found {} values", s.cell.numel());
  }
}

}  // namespace

std::string format_extxyz_frame(const Structure& s) {
  check_structure(s);
  const int64_t n = s.num_atoms();
  std::vector<OutputColumn> columns(2);  // species (from numbers) and positions come first
  columns[0].property = {"species", ColumnType::text, 1};
  columns[1].property = {"pos", ColumnType::real, 3};
  columns[1].values = s.positions.to(at::kDouble).contiguous();
  for (auto& c : array_columns(s)) columns.push_back(std::move(c));
  std::vector<PropertyColumn> properties;
  for (const auto& c : columns) properties.push_back(c.property);

  fmt::memory_buffer out;
  fmt::format_to(std::back_inserter(out), "{}\n{}\n", n, comment_line(s, properties));
  const at::Tensor numbers = s.numbers.to(at::kLong).contiguous();
  for (int64_t i = 0; i < n; ++i) {
    const std::string& symbol = chemical_symbol(numbers.data_ptr<int64_t>()[i]);
    fmt::format_to(std::back_inserter(out), "{:<2}", symbol);
    for (std::size_t c = 1; c < columns.size(); ++c) {
      for (int64_t k = 0; k < columns[c].property.width; ++k) append_field(out, columns[c], i, k);
    }
    out.push_back('\n');
  }
  return fmt::to_string(out);
}

namespace {

template <typename Sink>
void write_frames(const std::vector<Structure>& frames, const std::string& name, Sink&& sink) {
  for (std::size_t k = 0; k < frames.size(); ++k) {
    std::string text;
    try {
      text = format_extxyz_frame(frames[k]);
    } catch (const Error& e) {
      fail("{}: cannot write frame {}: {}", name, k, e.what());
    }
    sink(text);
  }
}

}  // namespace

void write_extxyz(std::ostream& out, const std::vector<Structure>& frames) {
  write_frames(frames, "<stream>", [&](const std::string& text) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) fail("<stream>: write failed");
  });
}

void write_extxyz(const std::filesystem::path& path, const std::vector<Structure>& frames) {
  AtomicOutputFile file(path, has_gzip_extension(path));
  write_frames(frames, path.string(), [&](const std::string& text) { file.write(text); });
  file.commit();
}

}  // namespace eqt::data
