#pragma once
// Helpers of the `eqt predict` tests: reference structures as an extxyz file, and running eqt.
#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <vector>

#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "eqt/data/structure.h"
#include "support/reference.h"
#include "support/run_command.h"

namespace eqt::testing {

inline const char* const kReferenceConfigs[] = {"small_gat_nonlinear_exp", "small_dp_exp", "small_gat_linear_gaussian"};

inline std::filesystem::path reference_model(const std::filesystem::path& shared, const std::string& config) {
  return shared / "reference" / "equiformer" / config;
}

inline std::vector<data::Structure> reference_structures_of(const std::filesystem::path& shared) {
  const auto json = load_json(shared / "reference" / "equiformer" / "structures.json");
  std::vector<data::Structure> structures;
  for (const auto& s : json.at("structures")) {
    structures.push_back(data::make_structure(s.at("atomic_numbers").get<std::vector<int64_t>>(),
                                              tensor_from_json(s.at("positions"))));
  }
  return structures;
}

// `eqt predict` with the given arguments; output of the command and its exit code.
inline CommandResult run_predict(const std::string& arguments) {
  return run_command(shell_quote(eqt_executable().string()) + " --threads 1 predict " + arguments);
}

// max |a - b| relative to the largest |b| (forces near zero are compared at the scale of the set).
inline double scaled_error(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>() / std::max(b.abs().max().item<double>(), 1e-300);
}

}  // namespace eqt::testing
