#pragma once
// The arguments of `pair_style eqt` and `pair_coeff * * ELEMENTS...`, parsed without LAMMPS, so
// that the parsing can be unit-tested and fuzzed on its own (fuzz/fuzz_pair_style_args.cpp).
// Failures throw eqt::Error with the message PairEQT passes to LAMMPS's error->all. Standard types
// only in this header (LAMMPS's bundled fmt must not meet eqt's).
#include <cstdint>
#include <string>
#include <vector>

#include "eqt/inference/system_potential.h"

namespace eqt::lammps {

struct PairStyleArgs {
  std::string model_dir;
  std::string mode;  // "exchange", "local", "replicated", or "" for the model's default
  inference::SystemPotential::LoadOptions options;
};

// args: what follows `pair_style eqt` (MODEL_DIR first).
PairStyleArgs parse_pair_style_args(const std::vector<std::string>& args);

// args: what follows `pair_coeff` ("*", "*", then one element per atom type). Returns the atomic
// number of each type, index 1..ntypes (index 0 unused).
std::vector<int64_t> parse_pair_coeff_elements(const std::vector<std::string>& args, int ntypes);

}  // namespace eqt::lammps
