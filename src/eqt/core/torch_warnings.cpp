#include "eqt/core/torch_warnings.h"

#include "eqt/core/torch_compat.h"

#include <cstdio>
#include <mutex>
#include <set>
#include <string>

namespace eqt {

namespace {

// Notices about API status that eqt has already accounted for.
bool is_known_notice(const std::string& message) {
  return message.find("scatter_reduce() is in beta") != std::string::npos ||
         message.find("index_reduce() is in beta") != std::string::npos;
}

void print_once(const std::string& message) {
  static std::mutex mutex;
  static std::set<std::string> seen;
  if (is_known_notice(message)) return;
  const std::lock_guard<std::mutex> lock(mutex);
  if (!seen.insert(message).second) return;
  std::fprintf(stderr, "eqt: LibTorch warning: %s\n", message.c_str());
}

class QuietHandler : public c10::WarningHandler {
 public:
  // The handler's signature changed in LibTorch 2.0 (torch_compat.h).
#if EQT_TORCH_WARNING_OBJECT
  void process(const c10::Warning& warning) override { print_once(warning.msg()); }
#else
  void process(const c10::SourceLocation& /*where*/, const std::string& message, const bool /*verbatim*/) override {
    print_once(message);
  }
#endif
};

}  // namespace

void install_torch_warning_handler() {
  static QuietHandler handler;
  torch_compat::set_warning_handler(&handler);
}

}  // namespace eqt
