// Fuzz target: the extxyz reader on a file, so the gzip path (told apart by its magic bytes) is
// exercised: corrupt, truncated and concatenated gzip streams, and what they decompress to.
#include "eqt/data/extxyz_reader.h"
#include "fuzz_target.h"
#include "scratch_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return eqt::fuzz::run_one(data, size, [](const std::string& bytes) {
    const auto path = eqt::fuzz::scratch_dir() / "input.xyz.gz";
    eqt::fuzz::write_bytes(path, bytes);
    eqt::data::ExtxyzReader reader(path);
    while (reader.next()) {
    }
  });
}
