#pragma once
// The key=value comment line of an extxyz frame, read with ASE 3.22's rules
// (ase.io.extxyz.key_val_str_to_dict), so every file means here what it means in ASE:
//  * pairs are separated by whitespace; "key = value" with spaces around '=' is one pair;
//  * values may be wrapped in "..", '..', {..} or [..] (may contain spaces); a backslash makes the
//    next character literal, inside quotes too; a key without '=' is the boolean True;
//  * a value is split on whitespace and commas; if every part is an int it becomes int64,
//    else if every part is a float float64 (one part: a scalar, several: a 1-D array, none:
//    an empty int64 array); otherwise parts that are all T / F become booleans; "_JSON ..."
//    is decoded as JSON; anything else stays text ("True" too: only T / F are booleans here);
//  * Lattice, stress and virial must hold 9 numbers and become 3x3 in Fortran (column) order;
//  * the key "uid" (any case) is never converted;
//  * a repeated key keeps its first position and its last value (a Python dict).
// Stricter than ASE, which reads on regardless: an unterminated quote, a '=' with no key before
// it, an empty key, and a Lattice / stress / virial that is not numeric fail. Extension: stress
// and virial may also hold 6 Voigt numbers (xx yy zz yz xz xy), kept as a [6] tensor.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eqt/data/structure.h"

namespace eqt::data {

struct CommentEntry {
  std::string key;
  InfoValue value;
};

// Raw (key, text) pairs in order of appearance, before typing; a bare key has text "T".
std::vector<std::pair<std::string, std::string>> split_comment_pairs(std::string_view line);

// Types one value as ASE does (see above); key decides the 3x3 and "uid" rules.
InfoValue convert_comment_value(const std::string& key, const std::string& text);

// Both steps, with repeated keys merged. Throws eqt::Error with the reason (no file context).
std::vector<CommentEntry> parse_comment_line(std::string_view line);

// Keys whose 9 values are a 3x3 matrix in Fortran order.
bool is_matrix_key(const std::string& key);

}  // namespace eqt::data
