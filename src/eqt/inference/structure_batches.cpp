#include "eqt/inference/structure_batches.h"

#include <fmt/format.h>

#include "eqt/data/extxyz_reader.h"

namespace eqt::inference {

int64_t count_frames(const std::string& path) {
  data::ExtxyzReader reader(path);
  while (reader.skip()) {
  }
  return reader.frame_index();
}

void for_each_batch(const std::string& path, int64_t batch_size, const BatchHandler& handle) {
  data::ExtxyzReader reader(path);
  std::vector<data::Structure> batch;
  std::vector<std::string> where;
  const auto flush = [&]() {
    handle(batch, where);
    batch.clear();
    where.clear();
  };
  while (true) {
    const int64_t index = reader.frame_index();
    auto structure = reader.next();
    if (!structure) break;
    batch.push_back(std::move(*structure));
    where.push_back(fmt::format("{}: frame {}", path, index));
    if (static_cast<int64_t>(batch.size()) == batch_size) flush();
  }
  if (!batch.empty()) flush();
}

}  // namespace eqt::inference
