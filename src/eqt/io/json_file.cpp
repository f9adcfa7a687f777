#include "eqt/io/json_file.h"

#include <fstream>

#include "eqt/core/error.h"

namespace eqt::io {

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) fail("cannot open {}", path.string());
  try {
    return nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path.string(), e.what());
  }
}

}  // namespace eqt::io
