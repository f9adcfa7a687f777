#pragma once
// One exception type for every user-facing failure: the CLI catches it and prints the message,
// so messages must name the file / line / frame / key and say what is wrong.
#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace eqt {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace eqt
