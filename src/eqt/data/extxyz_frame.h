#pragma once
// Turns the parsed comment line and atom columns of one extxyz frame into a Structure, applying
// ASE's meaning of Lattice, pbc, Properties, species and Z (see extxyz_reader.h).
#include <ATen/ATen.h>

#include <array>
#include <map>
#include <string>
#include <vector>

#include "eqt/data/extxyz_comment.h"
#include "eqt/data/extxyz_properties.h"
#include "eqt/data/structure.h"

namespace eqt::data {

// What the comment line says about the frame.
struct FrameHeader {
  at::Tensor cell;  // float64 [3, 3], rows are lattice vectors; zeros without Lattice
  std::array<bool, 3> pbc{false, false, false};
  std::vector<PropertyColumn> columns;
  std::map<std::string, InfoValue> info;
  std::vector<std::string> info_order;
};

// Fails (eqt::Error, reason only) on a bad Lattice / pbc / Properties, or no pos column.
FrameHeader interpret_comment(std::vector<CommentEntry> entries);
Structure assemble_frame(FrameHeader header, AtomColumns atoms);

}  // namespace eqt::data
