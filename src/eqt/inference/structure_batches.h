#pragma once
// Reading an extxyz file in batches of structures, for the verbs that evaluate a model on every
// structure of a file (predict, eval).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eqt/data/structure.h"

namespace eqt::inference {

// A fast first pass (line counts only), so that a progress bar can show an ETA.
int64_t count_frames(const std::string& path);

// `where[k]` names structures[k] for error messages ("in.xyz: frame 12"); the handler may modify
// the structures (they are discarded afterwards).
using BatchHandler = std::function<void(std::vector<data::Structure>& structures, const std::vector<std::string>& where)>;

// Calls `handle` for consecutive batches of up to `batch_size` structures, in file order.
void for_each_batch(const std::string& path, int64_t batch_size, const BatchHandler& handle);

}  // namespace eqt::inference
