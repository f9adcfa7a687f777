// Fuzz target: loading a model directory whose model.json (eqt's format) or config.json (an
// official export) is the input: the first byte picks which (even: model.json). The weights file is
// a valid, empty safetensors file, so inputs reach the architecture's config parsing and model
// construction, where a hostile width or depth must be refused before anything is allocated.
#include "eqt/io/safetensors.h"
#include "eqt/models/model_dir.h"
#include "fuzz_target.h"
#include "scratch_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool eqt_format = data[0] % 2 == 0;
  return eqt::fuzz::run_one(data + 1, size - 1, [eqt_format](const std::string& text) {
    const auto dir = eqt::fuzz::scratch_dir() / "model";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    eqt::fuzz::write_bytes(dir / (eqt_format ? "model.json" : "config.json"), text);
    eqt::fuzz::write_bytes(dir / "weights.safetensors", eqt::io::serialize_safetensors({}));
    eqt::models::read_model_directory(dir);
  });
}
