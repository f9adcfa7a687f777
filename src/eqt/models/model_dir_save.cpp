// Saving half of model_dir.h: model.json + weights.safetensors, written all or nothing.
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <random>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/io/atomic_file.h"
#include "eqt/io/file_digest.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/model_registry.h"
#include "eqt/models/state_dict.h"

namespace eqt::models {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// A fresh sibling of `dir` (same file system, so the final rename is atomic).
fs::path sibling(const fs::path& dir, const char* what) {
  std::random_device random;
  const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  return parent / fmt::format(".{}.{}-{}-{:08x}", dir.filename().string(), what, ::getpid(), random());
}

json model_json(const Model& model, const ArchitectureFormat::Description& description, const SaveOptions& options) {
  json species = json::array();
  for (const int64_t z : options.species) species.push_back(data::chemical_symbol(z));
  return {{"format", kModelFormatName},
          {"format_version", kModelFormatVersion},
          {"eqt_version", EQT_VERSION},
          {"kind", model.kind()},
          {"cutoff", model.cutoff()},
          {"species", species},
          {"units", {{"length", "Angstrom"}, {"energy", "eV"}, {"forces", "eV/Angstrom"}, {"stress", "eV/Angstrom^3"}}},
          {"architecture", description.architecture},
          {"normalisation", description.normalisation}};
}

// The weights are written first and their size and CRC-32 recorded in model.json, so the loader
// can tell a truncated or corrupted copy from a real model before parsing it.
void write_files(const Model& model, const fs::path& dir, const SaveOptions& options) {
  const ArchitectureFormat* format = find_kind(model.kind());
  if (!format) fail("save_model: no model-directory format is registered for kind '{}'", model.kind());
  const std::string weights = io::serialize_safetensors(
      state_dict(model), {{"format", kModelFormatName}, {"kind", model.kind()}, {"eqt_version", EQT_VERSION}});
  io::write_file_atomically(dir / kWeightsFileName, weights);

  json description = model_json(model, format->describe(model), options);
  const io::FileDigest digest = io::digest_of(weights);
  description["weights"] = {{"file", kWeightsFileName}, {"bytes", digest.bytes}, {"crc32", io::crc32_text(digest.crc32)}};
  io::write_file_atomically(dir / "model.json", description.dump(2) + "\n");
}

// Only directories that hold nothing but a saved model (or nothing) may be replaced.
void check_replaceable(const fs::path& dir) {
  if (!fs::is_directory(dir)) fail("save_model: {} exists and is not a directory", dir.string());
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name != "model.json" && name != kWeightsFileName) {
      fail("save_model: refusing to replace {}: it holds {}, which is not part of an eqt model directory",
           dir.string(), name);
    }
  }
}

void move_into_place(const fs::path& temp, const fs::path& dir) {
  fs::path old;
  if (fs::exists(dir)) {
    check_replaceable(dir);
    old = sibling(dir, "old");
    std::error_code error;
    fs::rename(dir, old, error);
    if (error) fail("save_model: cannot move the old {} aside: {}", dir.string(), error.message());
  }
  std::error_code error;
  fs::rename(temp, dir, error);
  if (error) {
    std::error_code ignored;
    if (!old.empty()) fs::rename(old, dir, ignored);  // put the previous model back
    fail("save_model: cannot rename {} onto {}: {}", temp.string(), dir.string(), error.message());
  }
  io::sync_directory(dir.parent_path());
  if (!old.empty()) fs::remove_all(old, error);
}

}  // namespace

void save_model(const Model& model, const fs::path& path, const SaveOptions& options) {
  const fs::path dir = path.filename().empty() ? path.parent_path() : path;  // "runs/model/" too
  if (dir.empty()) fail("save_model: '{}' does not name a directory", path.string());
  const fs::path temp = sibling(dir, "tmp");
  std::error_code error;
  if (!fs::create_directory(temp, error)) {
    fail("save_model: cannot create {}: {}", temp.string(), error ? error.message() : "it exists");
  }
  try {
    write_files(model, temp, options);
    io::sync_directory(temp);
    move_into_place(temp, dir);
  } catch (...) {
    fs::remove_all(temp, error);
    throw;
  }
}

}  // namespace eqt::models
