#include "eqt/inference/run_defaults.h"

#include "eqt/train/config.h"

namespace eqt::inference {

RunDefaults run_defaults(const std::filesystem::path& run_dir) {
  RunDefaults d;
  const std::filesystem::path config_file = run_dir / "config.yaml";
  if (!std::filesystem::exists(config_file)) return d;  // a model/ and metrics.csv put together by hand
  const train::TrainConfig config = train::load_config(config_file).config;
  if (std::filesystem::exists(run_dir / kRunTestSetFile)) {
    d.test_input = (run_dir / kRunTestSetFile).string();
  } else if (!config.test_file.empty()) {
    d.test_input = config.test_file;
  }
  d.keys.energy = config.energy.key;
  d.keys.forces = config.forces.key;
  d.keys.stress = config.stress.key;
  if (config.relaxed_positions.trained()) d.targets["relaxed_positions"] = config.relaxed_positions.key;
  return d;
}

}  // namespace eqt::inference
