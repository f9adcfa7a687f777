#include "eqt/inference/sharded_batches.h"

#include "eqt/inference/structure_batches.h"

namespace eqt::inference {

void for_each_batch_sharded(const std::string& path, int64_t batch_size, parallel::Communicator& comm,
                            const ShardHandler& handle, const ShardReceiver& receive) {
  const int ranks = comm.size();
  int64_t batch_index = 0;
  std::string mine;                    // this rank's batch of the current round
  std::vector<int64_t> round_sizes;    // structures per batch of the current round
  const auto finish_round = [&]() {
    const auto texts = comm.gather_text(mine, "predictions");
    if (comm.is_root()) {
      for (std::size_t r = 0; r < round_sizes.size(); ++r) receive(texts[r], round_sizes[r]);
    }
    mine.clear();
    round_sizes.clear();
  };
  for_each_batch(path, batch_size, [&](std::vector<data::Structure>& batch, const std::vector<std::string>& where) {
    if (batch_index % ranks == comm.rank()) mine = handle(batch, where);
    round_sizes.push_back(static_cast<int64_t>(batch.size()));
    if (++batch_index % ranks == 0) finish_round();
  });
  if (!round_sizes.empty()) finish_round();  // a last round short of N batches
}

}  // namespace eqt::inference
