#include "eqt/cli/run_defaults.h"

#include <yaml-cpp/yaml.h>

#include "eqt/core/error.h"

namespace eqt::cli {

namespace {

std::string key_of(const YAML::Node& targets, const char* name, const std::string& fallback) {
  const YAML::Node key = targets[name]["key"];
  return key && key.IsScalar() ? key.as<std::string>() : fallback;
}

}  // namespace

RunDefaults run_defaults(const std::filesystem::path& run_dir) {
  RunDefaults d;
  const std::filesystem::path config = run_dir / "config.yaml";
  if (!std::filesystem::exists(config)) return d;  // a model/ and metrics.csv put together by hand
  YAML::Node root;
  try {
    root = YAML::LoadFile(config.string());
  } catch (const YAML::Exception& e) {
    fail("{}: cannot read the run's configuration: {}", config.string(), e.what());
  }
  if (std::filesystem::exists(run_dir / kRunTestSetFile)) {
    d.test_input = (run_dir / kRunTestSetFile).string();
  } else if (const YAML::Node test = root["data"]["test"]; test && test.IsScalar() && !test.as<std::string>().empty()) {
    d.test_input = test.as<std::string>();
  }
  const YAML::Node targets = root["targets"];
  d.keys.energy = key_of(targets, "energy", d.keys.energy);
  d.keys.forces = key_of(targets, "forces", d.keys.forces);
  d.keys.stress = key_of(targets, "stress", d.keys.stress);
  return d;
}

}  // namespace eqt::cli
