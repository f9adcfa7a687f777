#pragma once
// Reads a whole JSON file; errors name the file (missing, unreadable, or not valid JSON).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>

namespace eqt::io {

// JSON files eqt reads (model.json, an official export's config.json, run files) are kilobytes;
// a larger one is refused before it is parsed.
inline constexpr uint64_t kMaxJsonFileBytes = uint64_t{64} << 20;

nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace eqt::io
