#include "eqt/models/equiformer/reference_loader.h"

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/state_dict.h"

namespace eqt::models::equiformer {

std::shared_ptr<EquiformerModel> load_equiformer_reference(const std::filesystem::path& dir, c10::ScalarType dtype) {
  std::ifstream file(dir / "config.json");
  if (!file) fail("load_equiformer_reference: cannot open {}", (dir / "config.json").string());
  nlohmann::json config;
  try {
    file >> config;
  } catch (const std::exception& e) {
    fail("load_equiformer_reference: {}: {}", (dir / "config.json").string(), e.what());
  }
  auto model = std::make_shared<EquiformerModel>(config_from_official_json(config), dtype);
  load_state_dict(*model, io::read_safetensors(dir / "weights.safetensors").tensors);
  return model;
}

}  // namespace eqt::models::equiformer
