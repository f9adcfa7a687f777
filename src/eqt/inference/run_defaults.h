#pragma once
// What `eqt eval --model RUN_DIR` takes from the training run when the user does not say: the
// run's test set (RUN_DIR/test.xyz, written by `eqt train` for a data.test_fraction split, else the
// config's data.test file) and the label keys the run trained on (targets.<name>.key).
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "eqt/data/labels.h"

namespace eqt::inference {

// The frames `eqt train` held out as test from a single data file.
inline const char* kRunTestSetFile = "test.xyz";

struct RunDefaults {
  std::optional<std::string> test_input;  // none: the run has no test set
  data::LabelKeys keys;
  // Model output -> label key of the run's other targets (relaxed_positions -> pos_relaxed, when the
  // run trained OC20's IS2RS task).
  std::map<std::string, std::string> targets;
};

// Reads RUN_DIR/config.yaml (as resolved by eqt train) with train::load_config, which names the
// file and key when it is unreadable.
RunDefaults run_defaults(const std::filesystem::path& run_dir);

}  // namespace eqt::inference
