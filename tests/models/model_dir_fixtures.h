#pragma once
// Helpers of the model-directory tests: writable copies of reference exports, and outputs of a
// model on the reference structures.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "equiformer_fixtures.h"
#include "eqt/core/error.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/potential.h"

namespace eqt::testing {

// The shared reference files are read-only; tests that damage a copy need write access.
inline std::filesystem::path writable_copy(const std::filesystem::path& source, const std::filesystem::path& target) {
  namespace fs = std::filesystem;
  fs::create_directories(target);
  for (const auto& entry : fs::directory_iterator(source)) {
    const auto to = target / entry.path().filename();
    fs::copy_file(entry.path(), to, fs::copy_options::overwrite_existing);
    fs::permissions(to, fs::perms::owner_write, fs::perm_options::add);
  }
  return target;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The message of the eqt::Error that loading `dir` throws ("" if it loads).
inline std::string load_error(const std::filesystem::path& dir) {
  try {
    models::load_model(dir, at::kDouble);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

// Energies and forces of all structures in one batch.
inline models::Evaluation evaluate_all(models::Model& model, const std::vector<data::Structure>& structures) {
  std::vector<const data::Structure*> all;
  for (const auto& s : structures) all.push_back(&s);
  return models::evaluate(model, graph_of(all, model.cutoff()), {true, false, false, "energy"});
}

}  // namespace eqt::testing
