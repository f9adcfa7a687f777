#pragma once
// Helpers of the model-directory tests: writable copies of reference exports, and outputs of a
// model on the reference structures.
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "equiformer_fixtures.h"
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

// Energies and forces of all structures in one batch.
inline models::Evaluation evaluate_all(models::Model& model, const std::vector<data::Structure>& structures) {
  std::vector<const data::Structure*> all;
  for (const auto& s : structures) all.push_back(&s);
  return models::evaluate(model, graph_of(all, model.cutoff()), {true, false, false, "energy"});
}

}  // namespace eqt::testing
