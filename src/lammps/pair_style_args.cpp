#include "pair_style_args.h"

#include "eqt/core/error.h"
#include "eqt/data/elements.h"

namespace eqt::lammps {

namespace {

constexpr const char* kUsage =
    "Illegal pair_style eqt command: expected MODEL_DIR [float64|float32] [mode exchange|local|replicated] "
    "[ecse] [ecse_fallback DIR] [ecse_pruning single|official] [device cpu|cuda|cuda:N]";

// Error messages quote at most this much of a word, however long the word is.
std::string quoted(const std::string& word) {
  constexpr size_t kMax = 200;
  return word.size() <= kMax ? word : word.substr(0, kMax) + "...";
}

}  // namespace

PairStyleArgs parse_pair_style_args(const std::vector<std::string>& args) {
  if (args.empty()) fail("{}", kUsage);
  PairStyleArgs parsed;
  parsed.model_dir = args[0];
  bool ecse_options = false;  // ecse_fallback / ecse_pruning given
  auto& options = parsed.options;
  for (size_t k = 1; k < args.size(); k++) {
    const std::string& word = args[k];
    const bool has_value = k + 1 < args.size();
    if (word == "float64" || word == "float32") {
      options.float32 = word == "float32";
    } else if (word == "mode" && has_value) {
      parsed.mode = args[++k];
      if (parsed.mode != "exchange" && parsed.mode != "local" && parsed.mode != "replicated")
        fail("pair_style eqt: mode must be exchange, local or replicated, not '{}'", quoted(parsed.mode));
    } else if (word == "device" && has_value) {
      options.device = args[++k];  // checked where the model is loaded (core/device.h)
    } else if (word == "ecse") {
      options.ecse = true;
    } else if (word == "ecse_fallback" && has_value) {
      options.ecse_fallback = args[++k];
      ecse_options = true;
    } else if (word == "ecse_pruning" && has_value) {
      options.ecse_pruning = args[++k];  // checked where the model is loaded
      ecse_options = true;
    } else {
      fail("{} (got '{}')", kUsage, quoted(word));
    }
  }
  if (ecse_options && !options.ecse) fail("pair_style eqt: ecse_fallback and ecse_pruning need the keyword ecse");
  return parsed;
}

std::vector<int64_t> parse_pair_coeff_elements(const std::vector<std::string>& args, int ntypes) {
  if (ntypes < 1 || args.size() != static_cast<size_t>(ntypes) + 2 || args[0] != "*" || args[1] != "*")
    fail("pair_coeff for eqt must be '* *' followed by one element per atom type ({} types)", ntypes);
  std::vector<int64_t> numbers(static_cast<size_t>(ntypes) + 1, 0);
  for (int t = 1; t <= ntypes; t++) {
    const std::string& symbol = args[static_cast<size_t>(t) + 1];
    const auto z = data::atomic_number_capitalized(symbol);
    if (!z || *z == 0) fail("pair_coeff eqt: '{}' (type {}) is not a chemical element", quoted(symbol), t);
    numbers[static_cast<size_t>(t)] = *z;
  }
  return numbers;
}

}  // namespace eqt::lammps
