#pragma once
// for_each_batch (structure_batches.h) spread over the ranks of a parallel run (predict and eval
// under mpirun / torchrun): every rank reads the file, batch k is computed by rank k mod N only,
// and rank 0 receives each batch's result text in file order, one round of N batches at a time
// (memory stays bounded by a round). With one rank it is for_each_batch.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eqt/data/structure.h"
#include "eqt/parallel/communicator.h"

namespace eqt::inference {

// Computes one batch on its rank and returns what rank 0 should receive for it.
using ShardHandler =
    std::function<std::string(std::vector<data::Structure>& structures, const std::vector<std::string>& where)>;
// On rank 0: a batch's text, in file order, and the batch's number of structures.
using ShardReceiver = std::function<void(const std::string& text, int64_t structures)>;

void for_each_batch_sharded(const std::string& path, int64_t batch_size, parallel::Communicator& comm,
                            const ShardHandler& handle, const ShardReceiver& receive);

}  // namespace eqt::inference
