#pragma once
// Data-parallel training over the ranks of a parallel::Communicator (docs/distributed.md).
// Every rank holds the whole dataset and builds the same sequence of global batches (batch_size x
// ranks structures each); rank r trains on the r-th contiguous part of each global batch, dividing
// its losses by the counts of the whole global batch, so that the gradients summed over the ranks
// are the gradients of the global batch: N ranks with batch B compute the step of one rank with
// batch N x B.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "eqt/models/model.h"
#include "eqt/parallel/communicator.h"
#include "eqt/train/batching.h"
#include "eqt/train/dataset.h"

namespace eqt::train {

// Rank `rank`'s contiguous part of `global` (sizes differ by at most one; may be empty).
Batch shard_of(const Batch& global, int rank, int ranks);

// Sums every parameter's gradient over the ranks in place (a missing gradient counts as zeros),
// in flat buckets of at most bucket_bytes, with `local_loss` riding in the first bucket; returns
// the sum of the ranks' losses (the global batch's loss).
double all_reduce_gradients(models::Model& model, parallel::Communicator& comm, double local_loss,
                            int64_t bucket_bytes = 32 << 20);

// CRC-32 fingerprints of what every rank must agree on.
uint32_t fingerprint_text(const std::string& text);
uint32_t fingerprint_split(const Split& split);
uint32_t fingerprint_parameters(const models::Model& model);

// Stops every rank before the first step when a rank's fingerprint differs from rank 0's, naming
// the rank and what differs (e.g. {"config", crc}, {"training data", crc}, {"model", crc}).
void check_ranks_agree(parallel::Communicator& comm, const std::vector<std::pair<std::string, uint32_t>>& fingerprints);

}  // namespace eqt::train
