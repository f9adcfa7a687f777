#pragma once
// `eqt --version`: eqt's version and what it was built with (LibTorch, CUDA, BLAS, oneDNN), the
// first thing to ask for in a bug report.
#include <string>

namespace eqt::cli {

std::string version_text();

}  // namespace eqt::cli
