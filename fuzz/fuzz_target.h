#pragma once
// What every fuzz target shares. A target feeds bytes to one parser; the parser may refuse them
// with eqt::Error (the one user-facing error type, whose message names the file and the problem),
// and that is a pass. Anything else is a finding: a crash or sanitizer report, a hang, an
// allocation beyond libFuzzer's -malloc_limit_mb, or any other exception escaping (a user would
// see an unnamed library message such as "basic_string::_M_create" or a torch stack trace).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "eqt/core/error.h"

namespace eqt::fuzz {

// Runs one input through `parse`; aborts (a libFuzzer finding) on any exception but eqt::Error.
template <typename Parse>
int run_one(const uint8_t* data, size_t size, Parse&& parse) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    parse(bytes);
  } catch (const eqt::Error&) {
    // refused with eqt's message: the expected outcome for most inputs
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eqt fuzz: an exception other than eqt::Error escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}

}  // namespace eqt::fuzz
