#include "eqt/data/extxyz_reader.h"

#include <algorithm>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/data/cell_list.h"
#include "eqt/data/extxyz_frame.h"
#include "eqt/data/python_numbers.h"

namespace eqt::data {
namespace {

bool is_blank(std::string_view line) { return strip_python_space(line).empty(); }

bool starts_with_vec(std::string_view line) {
  const auto stripped = strip_python_space(line);
  return stripped.substr(0, 3) == "VEC";
}

}  // namespace

ExtxyzReader::ExtxyzReader(const std::filesystem::path& path) : lines_(path) {}
ExtxyzReader::ExtxyzReader(std::istream& in, std::string name) : lines_(in, std::move(name)) {}

void ExtxyzReader::fail_at(int64_t line, const std::string& reason) const {
  // Reasons quote the offending text; a hostile file's token may be megabytes long.
  constexpr std::size_t kMaxReason = 1000;
  const std::string shown =
      reason.size() <= kMaxReason
          ? reason
          : fmt::format("{}... ({} more bytes)", reason.substr(0, kMaxReason), reason.size() - kMaxReason);
  fail("{}:{}: frame {}: {}", lines_.name(), line, frame_index_, shown);
}

std::optional<int64_t> ExtxyzReader::read_atom_count() {
  std::string_view line;
  if (!lines_.next(line)) {
    if (frame_index_ == 0) fail("{}: file is empty: no extxyz frames", lines_.name());
    return std::nullopt;
  }
  if (is_blank(line)) {
    // Trailing blank lines end the file; ASE also stops at a blank line in the middle, silently
    // dropping every frame after it, which is refused here.
    const int64_t blank_line = lines_.line_number();
    while (lines_.next(line)) {
      if (!is_blank(line)) {
        fail_at(blank_line, fmt::format("blank line where an atom count should be, but more "
                                        "data follows at line {} (ASE would stop reading here)",
                                        lines_.line_number()));
      }
    }
    if (frame_index_ == 0) fail("{}: file is empty: no extxyz frames", lines_.name());
    return std::nullopt;
  }
  const std::string_view text = strip_python_space(line);
  int64_t parsed = 0;
  if (parse_python_int(text, parsed) == IntParse::overflow) {
    fail_at(lines_.line_number(), fmt::format("the number of atoms '{}' does not fit a 64-bit integer",
                                              text.substr(0, 40)));
  }
  const auto count = parse_int64(text);
  if (!count) {
    fail_at(lines_.line_number(),
            fmt::format("expected the number of atoms, found '{}'", text.substr(0, 80)));
  }
  if (*count < 0) {
    fail_at(lines_.line_number(), fmt::format("the number of atoms is negative ({})", *count));
  }
  return count;
}

std::string_view ExtxyzReader::read_frame_line(const char* what, int64_t num_atoms,
                                               int64_t atoms_read) {
  std::string_view line;
  if (!lines_.next(line)) {
    fail_at(lines_.line_number(),
            fmt::format("truncated frame: the file ends before its {} ({} atoms declared, {} "
                        "atom lines found)",
                        what, num_atoms, atoms_read));
  }
  return line;
}

bool ExtxyzReader::skip() {
  const auto num_atoms = read_atom_count();
  if (!num_atoms) return false;
  read_frame_line("comment line", *num_atoms, 0);
  for (int64_t i = 0; i < *num_atoms; ++i) read_frame_line("atom lines", *num_atoms, i);
  ++frame_index_;
  return true;
}

std::optional<Structure> ExtxyzReader::next() {
  const auto num_atoms = read_atom_count();
  if (!num_atoms) return std::nullopt;
  Structure structure = parse_frame(*num_atoms);
  ++frame_index_;
  return structure;
}

Structure ExtxyzReader::parse_frame(int64_t num_atoms) {
  const std::string_view comment = read_frame_line("comment line", num_atoms, 0);
  const int64_t comment_line = lines_.line_number();
  FrameHeader header;
  try {
    header = interpret_comment(parse_comment_line(comment));
  } catch (const Error& e) {
    fail_at(comment_line, e.what());
  }
  AtomLineParser atoms(header.columns, num_atoms);
  for (int64_t i = 0; i < num_atoms; ++i) {
    const std::string_view line = read_frame_line("atom lines", num_atoms, i);
    try {
      atoms.parse(i, line);
    } catch (const Error& e) {
      // A lone integer is most likely the next frame's atom count: say so.
      const bool looks_like_count = parse_int64(strip_python_space(line)).has_value();
      fail_at(lines_.line_number(),
              fmt::format("{}{}", e.what(),
                          looks_like_count
                              ? fmt::format(" (truncated frame? {} atoms declared, only {} atom "
                                            "lines before this one)",
                                            num_atoms, i)
                              : ""));
    }
  }
  std::string_view after;
  if (lines_.next(after)) {
    if (starts_with_vec(after)) {
      fail_at(lines_.line_number(), "VEC lines (cell vectors as pseudo-atoms) are not "
                                    "supported; write the cell as Lattice=\"...\" instead");
    }
    lines_.unread();
  }
  Structure structure = assemble_frame(std::move(header), std::move(atoms).finish());
  reject_unwrappable_atoms(structure, comment_line);
  return structure;
}

// An atom at 1e30 A in a periodic frame reads fine but no neighbour list can wrap it: refuse it
// here, where the error can name the atom's line (the neighbour list would, without the file).
void ExtxyzReader::reject_unwrappable_atoms(const Structure& s, int64_t comment_line) const {
  if (!s.pbc[0] && !s.pbc[1] && !s.pbc[2]) return;
  const at::Tensor positions = s.positions.to(at::kDouble).contiguous();
  const at::Tensor cell = s.cell.to(at::kDouble).contiguous();
  detail::Mat3 rows{};
  std::copy(cell.data_ptr<double>(), cell.data_ptr<double>() + 9, rows.begin());
  detail::FarAtom far;
  try {
    far = detail::first_unwrappable_atom(positions.data_ptr<double>(), positions.size(0), rows, s.pbc);
  } catch (const Error&) {
    return;  // a nearly singular periodic cell: the neighbour list reports it, as before
  }
  if (far.atom >= 0) {
    fail_at(comment_line + 1 + far.atom,
            fmt::format("atom {} is {:g} cells outside the periodic cell (more than {:g}): it cannot be "
                        "wrapped into the cell precisely",
                        far.atom, far.cells, detail::kMaxFractional));
  }
}

namespace {

std::vector<Structure> read_range(ExtxyzReader& reader, const FrameRange& range) {
  if (range.start < 0 || range.step < 1) {
    fail("frame range: start must be >= 0 and step >= 1 (got start {}, step {})", range.start,
         range.step);
  }
  std::vector<Structure> frames;
  while (range.stop < 0 || reader.frame_index() < range.stop) {
    const int64_t index = reader.frame_index();
    const bool wanted = index >= range.start && (index - range.start) % range.step == 0;
    if (!wanted) {
      if (!reader.skip()) break;
      continue;
    }
    auto frame = reader.next();
    if (!frame) break;
    frames.push_back(std::move(*frame));
  }
  return frames;
}

}  // namespace

std::vector<Structure> read_extxyz(const std::filesystem::path& path, const FrameRange& range) {
  ExtxyzReader reader(path);
  return read_range(reader, range);
}

std::vector<Structure> read_extxyz(std::istream& in, const std::string& name,
                                   const FrameRange& range) {
  ExtxyzReader reader(in, name);
  return read_range(reader, range);
}

std::vector<Structure> read_extxyz_text(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  return read_extxyz(in, name);
}

Structure read_extxyz_frame(const std::filesystem::path& path, int64_t frame) {
  const std::string name = path.string();
  if (frame < 0) {
    ExtxyzReader counter(path);
    while (counter.skip()) {
    }
    const int64_t total = counter.frame_index();
    if (total + frame < 0) fail("{}: frame {} is out of range: the file has {} frames", name, frame, total);
    frame += total;
  }
  ExtxyzReader reader(path);
  for (int64_t k = 0; k < frame; ++k) {
    if (!reader.skip()) fail("{}: frame {} is out of range: the file has {} frames", name, frame, k);
  }
  auto structure = reader.next();
  if (!structure) fail("{}: frame {} is out of range: the file has {} frames", name, frame, frame);
  return std::move(*structure);
}

}  // namespace eqt::data
