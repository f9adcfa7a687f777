#pragma once
// Small labelled datasets for training tests, written without Python: random H/C/O clusters
// (molecules) labelled by a smooth pair potential whose forces are its exact negative gradient,
//   E = sum_Z e0[Z] + sum_{i<j} a_ij exp(-r_ij) ,  a_ij = (Z_i + Z_j) / 10,
// so a model can learn them and every label is consistent.
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace eqt::testing {

struct TrainDataOptions {
  int frames = 16;
  int min_atoms = 3, max_atoms = 5;
  uint64_t seed = 0;
  bool with_oxygen = true;  // false: H and C only (to test unseen-species errors)
  std::string energy_key = "energy";
};

// A training config (YAML text) for a tiny Equiformer (Lmax 1, one layer, a few hundred weights)
// on `train` / `val`, followed by `extra` lines; trains a step in milliseconds.
std::string tiny_train_config(const std::filesystem::path& train, const std::filesystem::path& val,
                              const std::string& extra = "");

// Atomic numbers (H, C and, with three species, O) and positions [3 n] of n atoms drawn in the cube
// [-half_width, half_width]^3, rejecting draws closer than min_distance to an earlier atom.
struct RandomCluster {
  std::vector<int> z;
  std::vector<double> r;
};
RandomCluster random_cluster(std::mt19937_64& rng, int n, int species_count, double half_width, double min_distance);

const char* element_symbol(int z);  // "H", "C" or "O"

void write_pair_potential_dataset(const std::filesystem::path& path, const TrainDataOptions& options = {});

}  // namespace eqt::testing
