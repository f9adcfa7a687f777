// Fuzz target: the YAML training config with --set overrides. The input is YAML text; each line
// "#set KEY=VALUE" (a YAML comment, so the seeds stay valid YAML) is also passed as an override,
// as `eqt train CONFIG --set KEY=VALUE` would.
#include <sstream>
#include <vector>

#include "eqt/train/config.h"
#include "fuzz_target.h"

namespace {

std::vector<std::string> overrides_in(const std::string& text) {
  std::vector<std::string> overrides;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("#set ", 0) == 0) overrides.push_back(line.substr(5));
  return overrides;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return eqt::fuzz::run_one(data, size, [](const std::string& text) {
    eqt::train::parse_config(text, "fuzz.yaml", "/nonexistent", overrides_in(text));
  });
}
