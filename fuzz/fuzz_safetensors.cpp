// Fuzz target: the safetensors reader (model weights and checkpoints) on bytes in memory. It must
// check every size against the bytes that are there before allocating.
#include "eqt/io/safetensors.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return eqt::fuzz::run_one(data, size, [](const std::string& bytes) {
    eqt::io::parse_safetensors(bytes, "fuzz.safetensors");
  });
}
