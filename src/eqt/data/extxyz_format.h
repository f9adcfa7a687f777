#pragma once
// Text encodings for writing extxyz that ASE 3.22 (and extxyz_reader) read back exactly:
// round-trip floats that always look like floats, and comment-line values that keep their type.
#include <ATen/ATen.h>

#include <string>

#include "eqt/data/structure.h"

namespace eqt::data {

// Shortest text that parses back to the same double, always with '.', 'e', "inf" or "nan" so it
// is never mistaken for an integer ("1.0", "1e-05", "-0.0").
std::string format_real(double value);

// key=value for the comment line, quoted and escaped where needed. A value that would read back
// as another type or shape (text "12" or "T", a 1-element array, a 2-D array, ...) is written as
// "_JSON ...", as ASE does; stress / virial in Voigt form are written as their 3x3 matrix (what
// ASE requires). Every pair is checked by parsing it back; fails (eqt::Error) when no encoding
// survives (e.g. an empty integer array, a reserved key, a non-finite value in a 2-D array).
std::string format_info_pair(const std::string& key, const InfoValue& value);

// Wraps text in double quotes with \" and \\ escapes when it contains anything the comment-line
// parser treats specially (whitespace, quotes, brackets, braces, '=', '\\') or is empty.
std::string quote_if_needed(const std::string& text);

}  // namespace eqt::data
