#include "eqt/train/batching.h"

#include <random>

namespace eqt::train {

std::vector<int64_t> epoch_permutation(int64_t count, int64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  std::seed_seq seq{static_cast<uint64_t>(seed), static_cast<uint64_t>(epoch), uint64_t{0x5eed}};
  std::mt19937_64 rng(seq);
  for (int64_t i = count - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

std::vector<Batch> make_batches(const std::vector<int64_t>& order, const std::vector<int64_t>& atoms_per_structure,
                                int64_t batch_size, int64_t batch_atoms) {
  std::vector<Batch> batches;
  Batch current;
  int64_t atoms = 0;
  for (const int64_t i : order) {
    const int64_t n = atoms_per_structure[static_cast<std::size_t>(i)];
    const bool full = batch_atoms > 0 ? (!current.empty() && atoms + n > batch_atoms)
                                      : static_cast<int64_t>(current.size()) == batch_size;
    if (full) {
      batches.push_back(std::move(current));
      current.clear();
      atoms = 0;
    }
    current.push_back(i);
    atoms += n;
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

}  // namespace eqt::train
