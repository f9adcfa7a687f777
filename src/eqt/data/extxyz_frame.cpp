#include "eqt/data/extxyz_frame.h"

#include <algorithm>
#include <cmath>

#include "eqt/core/error.h"

namespace eqt::data {
namespace {

const char* const kDefaultProperties = "species:S:1:pos:R:3";

// pbc="T T F", pbc=T (all three), or integers as numpy would cast them.
std::array<bool, 3> parse_pbc(const InfoValue& value) {
  const auto* t = std::get_if<at::Tensor>(&value);
  if (t == nullptr || t->is_floating_point() || (t->numel() != 1 && t->numel() != 3) ||
      t->dim() > 1) {
    const std::string text = t == nullptr ? std::get<std::string>(value) : "a non-boolean array";
    fail("pbc must be one or three of T / F, got {}", text);
  }
  const at::Tensor flags = (t->to(at::kLong) != 0).expand({3}).contiguous();
  return {flags[0].item<bool>(), flags[1].item<bool>(), flags[2].item<bool>()};
}

// The periodic lattice vectors must span a proper 1-, 2- or 3-d lattice; a zero or degenerate
// vector along a periodic direction would make every neighbour list meaningless.
bool periodic_vectors_degenerate(const at::Tensor& cell, const std::array<bool, 3>& pbc) {
  std::vector<int64_t> rows;
  for (int64_t i = 0; i < 3; ++i) {
    if (pbc[i]) rows.push_back(i);
  }
  if (rows.empty()) return false;
  const at::Tensor vectors = cell.index_select(0, at::tensor(rows, at::kLong));
  const double gram = at::linalg_det(at::matmul(vectors, vectors.t())).item<double>();
  const double scale = vectors.norm(2, {1}).prod().item<double>();
  return !(scale > 0) || !(gram > 1e-20 * scale * scale);
}

// Lattice lists the cell vectors one after the other; the comment parser made that a Fortran-
// order 3x3 (vectors as columns, like ASE), so the cell (vectors as rows) is its transpose.
at::Tensor lattice_to_cell(const InfoValue& lattice) {
  const at::Tensor cell = std::get<at::Tensor>(lattice).t().to(at::kDouble).contiguous();
  if (!at::isfinite(cell).all().item<bool>()) fail("Lattice has a non-finite value");
  return cell;
}

std::vector<PropertyColumn> properties_of(const std::map<std::string, InfoValue>& found) {
  const auto it = found.find("Properties");
  if (it == found.end()) return parse_properties(kDefaultProperties);
  const auto* text = std::get_if<std::string>(&it->second);
  if (text == nullptr) fail("Properties must be text like {}", kDefaultProperties);
  auto columns = parse_properties(*text);
  const auto has = [&](const char* name) {
    return std::any_of(columns.begin(), columns.end(),
                       [&](const PropertyColumn& c) { return c.name == name; });
  };
  if (!has("pos")) fail("Properties={} has no pos:R:3 column (positions)", *text);
  if (!has("species") && !has("Z")) {
    fail("Properties={} has neither a species:S:1 nor a Z:I:1 column", *text);
  }
  return columns;
}

}  // namespace

FrameHeader interpret_comment(std::vector<CommentEntry> entries) {
  FrameHeader header;
  std::map<std::string, InfoValue> special;
  for (auto& entry : entries) {
    if (entry.key == "Lattice" || entry.key == "pbc" || entry.key == "Properties") {
      special[entry.key] = std::move(entry.value);
      continue;
    }
    header.info_order.push_back(entry.key);
    header.info[entry.key] = std::move(entry.value);
  }
  const bool has_lattice = special.count("Lattice") > 0;
  header.cell = has_lattice ? lattice_to_cell(special["Lattice"]) : at::zeros({3, 3}, at::kDouble);
  if (special.count("pbc")) header.pbc = parse_pbc(special["pbc"]);
  else if (has_lattice) header.pbc = {true, true, true};  // ASE's default with a Lattice
  if (periodic_vectors_degenerate(header.cell, header.pbc)) {
    fail(has_lattice ? "Lattice is singular: its periodic lattice vectors are zero or linearly "
                       "dependent"
                     : "pbc is periodic but there is no Lattice");
  }
  header.columns = properties_of(special);
  return header;
}

Structure assemble_frame(FrameHeader header, AtomColumns atoms) {
  Structure s;
  s.cell = std::move(header.cell);
  s.pbc = header.pbc;
  s.info = std::move(header.info);
  s.info_order = std::move(header.info_order);
  s.numbers = atoms.species_numbers;
  for (std::size_t i = 0; i < atoms.columns.size(); ++i) {
    const std::string& name = atoms.columns[i].name;
    if (name == "species") continue;
    if (name == "Z") {
      s.numbers = atoms.values[i];  // ASE: Z overrides species when both are given
    } else if (name == "pos") {
      s.positions = atoms.values[i];
    } else if (atoms.columns[i].type == ColumnType::text) {
      s.string_arrays[name] = std::move(atoms.texts[i]);
      s.array_order.push_back(name);
    } else {
      s.arrays[name] = atoms.values[i];
      s.array_order.push_back(name);
    }
  }
  return s;
}

}  // namespace eqt::data
