// Fuzz target: the arguments of `pair_style eqt ...` and `pair_coeff * * ...` as LAMMPS would
// split them (on whitespace). The first line is the pair_style arguments, the second the
// pair_coeff ones; the number of atom types is the count of pair_coeff words minus two, clamped
// to 1..64, so both matching and mismatching counts are tried.
#include <algorithm>
#include <sstream>
#include <vector>

#include "fuzz_target.h"
#include "pair_style_args.h"

namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return eqt::fuzz::run_one(data, size, [](const std::string& text) {
    const auto newline = text.find('\n');
    const auto style = words(text.substr(0, newline));
    const auto coeff = words(newline == std::string::npos ? "" : text.substr(newline + 1));
    try {
      eqt::lammps::parse_pair_style_args(style);
    } catch (const eqt::Error&) {
    }
    const int ntypes = static_cast<int>(std::clamp<size_t>(coeff.size() < 2 ? 1 : coeff.size() - 2, 1, 64));
    eqt::lammps::parse_pair_coeff_elements(coeff, ntypes);
  });
}
