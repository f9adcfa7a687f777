#pragma once
// The LibTorch API differences between Debian 12's LibTorch 1.13 and LibTorch 2.x (Debian 13's
// 2.6, PyTorch 2.x's LibTorch with CUDA). One source builds against both: every switch on the
// LibTorch version lives here, each with the API change it covers.
#include <c10/util/Exception.h>
#include <torch/version.h>

#define EQT_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

// c10::WarningHandler::process: LibTorch 2.0 passes one c10::Warning (msg(), source_location(),
// verbatim()); 1.13 passes (const SourceLocation&, const std::string& message, bool verbatim).
#define EQT_TORCH_WARNING_OBJECT EQT_TORCH_AT_LEAST(2, 0)

namespace eqt::torch_compat {

// Installing a warning handler: a static member c10::Warning::set_warning_handler in 1.13, a free
// function c10::WarningUtils::set_warning_handler since 2.0.
inline void set_warning_handler(c10::WarningHandler* handler) {
#if EQT_TORCH_AT_LEAST(2, 0)
  c10::WarningUtils::set_warning_handler(handler);
#else
  c10::Warning::set_warning_handler(handler);
#endif
}

// c10d::TCPStoreOptions::useLibUV (LibTorch 2.2 and later; true by default since 2.4). Debian 13's
// LibTorch 2.6 is built without libuv, and a store that asks for it fails to start ("use_libuv was
// requested but PyTorch was build without libuv support"): take the classic TCP store wherever
// the option exists. Chosen by whether the member exists, so no version number is guessed.
template <class StoreOptions>
auto without_libuv(StoreOptions& options, int) -> decltype(options.useLibUV = false, void()) {
  options.useLibUV = false;
}
template <class StoreOptions>
void without_libuv(StoreOptions&, long) {}

}  // namespace eqt::torch_compat
