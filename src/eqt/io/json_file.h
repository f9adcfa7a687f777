#pragma once
// Reads a whole JSON file; errors name the file (missing, unreadable, or not valid JSON).
#include <nlohmann/json.hpp>

#include <filesystem>

namespace eqt::io {

nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace eqt::io
