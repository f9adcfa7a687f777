#pragma once
// Writes Structures as extended XYZ that ASE 3.22 reads back identically: Lattice (when the
// cell is non-zero), Properties=species:S:1:pos:R:3:<arrays in array_order>, the info keys in
// info_order (then any others), and pbc, with every float in shortest round-trip form.
// Per-atom arrays: float -> R, integer -> I, bool -> L, string_arrays -> S; [N] or [N, k].
// Fails (eqt::Error naming the frame) on what could not be read back: non-finite positions or
// cell, strings with whitespace in per-atom text columns, arrays with the wrong number of rows,
// array names that clash with species / pos / Z, info values without a faithful encoding.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "eqt/data/structure.h"

namespace eqt::data {

// One frame: atom-count line, comment line, atom lines, each ending in '\n'.
std::string format_extxyz_frame(const Structure& s);

void write_extxyz(std::ostream& out, const std::vector<Structure>& frames);
// All or nothing (temporary file, fsync, rename): on any error an existing file is left as it
// was. gzip-compressed when the path ends in ".gz".
void write_extxyz(const std::filesystem::path& path, const std::vector<Structure>& frames);

}  // namespace eqt::data
