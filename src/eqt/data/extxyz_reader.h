#pragma once
// Reads extended XYZ files (plain or gzip) into Structures, with ASE 3.22's reading rules
// (ase.io.extxyz.read_xyz): the comment-line rules are in extxyz_comment.h, the atom-line
// columns in extxyz_properties.h, and per frame:
//  * no Properties means species:S:1:pos:R:3; species are capitalised ("CL" -> Cl); when both
//    species and Z are given, Z decides the atomic numbers;
//  * Lattice="a_x a_y a_z b_x ..." gives the cell rows; a Lattice without pbc means pbc T T T;
//  * Lattice, pbc and Properties are consumed, every other key goes to Structure::info
//    (energy, stress, ... stay there: see labels.h for reading them as training labels);
//  * every other column goes to arrays (R float64, I int64, L bool) or string_arrays (S),
//    under its name in the file.
// Anything ASE would misread or refuse is an eqt::Error "<file>:<line>: frame <k>: <reason>":
// truncated frames, bad atom counts, wrong column counts, non-numeric fields, unknown elements,
// non-finite positions or cell, a singular periodic cell, malformed Properties or comment lines,
// blank lines between frames (where ASE silently stops), corrupt gzip data, atom counts beyond
// int64, and lines longer than kMaxLineBytes (line_reader.h). Errors quote at most 1 kB of the
// offending text. A declared atom count allocates nothing up front beyond 65,536 atoms' worth.
#include <cstdint>
#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "eqt/data/line_reader.h"
#include "eqt/data/structure.h"

namespace eqt::data {

// Frames start, start + step, ... before stop (0-based; stop < 0 means to the end).
struct FrameRange {
  int64_t start = 0;
  int64_t stop = -1;
  int64_t step = 1;
};

// Streams frames one at a time, so files larger than memory can be processed.
class ExtxyzReader {
 public:
  explicit ExtxyzReader(const std::filesystem::path& path);
  ExtxyzReader(std::istream& in, std::string name);

  // The next frame, or nullopt after the last one. Fails on an empty file.
  std::optional<Structure> next();
  // Passes over the next frame checking only its line counts (fast); false at the end.
  bool skip();
  // 0-based index of the frame the next call reads.
  int64_t frame_index() const { return frame_index_; }

 private:
  // Reads the atom-count line; nullopt at the (clean) end of the file.
  std::optional<int64_t> read_atom_count();
  std::string_view read_frame_line(const char* what, int64_t num_atoms, int64_t atoms_read);
  [[noreturn]] void fail_at(int64_t line, const std::string& reason) const;
  Structure parse_frame(int64_t num_atoms);
  void reject_unwrappable_atoms(const Structure& s, int64_t comment_line) const;

  LineReader lines_;
  int64_t frame_index_ = 0;
};

std::vector<Structure> read_extxyz(const std::filesystem::path& path, const FrameRange& range = {});
std::vector<Structure> read_extxyz(std::istream& in, const std::string& name,
                                   const FrameRange& range = {});
// Frame `frame` of the file (0-based; negative counts from the end, -1 is the last). Fails naming
// the file and the number of frames when it is out of range.
Structure read_extxyz_frame(const std::filesystem::path& path, int64_t frame);
// Parses extxyz text held in memory (name is used in error messages).
std::vector<Structure> read_extxyz_text(const std::string& text, const std::string& name);

}  // namespace eqt::data
