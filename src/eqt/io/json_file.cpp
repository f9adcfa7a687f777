#include "eqt/io/json_file.h"


#include "eqt/core/error.h"
#include "eqt/io/file_digest.h"

namespace eqt::io {

nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_small_file(path, kMaxJsonFileBytes);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    fail("{}: not valid JSON: {}", path.string(), e.what());
  }
}

}  // namespace eqt::io
