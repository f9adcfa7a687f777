#pragma once
// Which structures go together in each training step. Each epoch's order is a permutation drawn
// from (seed, epoch) alone, so a resumed run sees exactly the batches the uninterrupted run would.
#include <cstdint>
#include <vector>

namespace eqt::train {

using Batch = std::vector<int64_t>;  // indices into a split

// A permutation of 0..count-1 that depends only on (seed, epoch).
std::vector<int64_t> epoch_permutation(int64_t count, int64_t seed, int64_t epoch);

// Consecutive groups of `order`: batch_atoms > 0 packs structures while the batch stays within
// batch_atoms atoms (a structure larger than that gets a batch of its own); otherwise groups of
// batch_size structures (the last one may be smaller).
std::vector<Batch> make_batches(const std::vector<int64_t>& order, const std::vector<int64_t>& atoms_per_structure,
                                int64_t batch_size, int64_t batch_atoms);

}  // namespace eqt::train
