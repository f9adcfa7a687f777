// Fuzz target: the extxyz reader on text held in memory, then the neighbour list on every frame it
// accepts (a far-away atom must not make the cell list allocate a huge grid).
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/neighbour_list.h"
#include "fuzz_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return eqt::fuzz::run_one(data, size, [](const std::string& text) {
    for (const auto& structure : eqt::data::read_extxyz_text(text, "fuzz.xyz"))
      eqt::data::neighbour_list(structure, 3.0);
  });
}
