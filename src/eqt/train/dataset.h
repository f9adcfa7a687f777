#pragma once
// The structures a run trains and validates on, with their labels read once (under the keys of
// the config's targets) and their neighbour lists computed once at the model's cutoff.
#include <ATen/ATen.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "eqt/data/graph_rule.h"
#include "eqt/data/neighbour_list.h"
#include "eqt/data/structure.h"
#include "eqt/train/config.h"

namespace eqt::train {

// Labels of one structure (float64); undefined tensors for labels the run does not train.
struct Labels {
  at::Tensor energy;  // []
  at::Tensor forces;  // [N, 3]
  at::Tensor stress;  // [3, 3]
  at::Tensor dipole;  // [3]
  // relaxed_positions: pos_relaxed - pos [N, 3] (the raw difference, as the official trainer:
  // OC20's relaxed positions are not re-wrapped) and the atoms it is trained on, tag > 0 (bool [N]).
  at::Tensor displacement;
  at::Tensor free_atoms;
};

struct Sample {
  data::Structure structure;
  Labels labels;
  data::NeighbourList neighbours;
  std::string where;  // "file: frame k", for messages
};

struct Split {
  std::string name;  // "train", "val"
  std::vector<Sample> samples;
  int64_t num_atoms() const;
  std::set<int64_t> species() const;
};

struct Datasets {
  Split train, val;
  // The data.test_fraction part of a single data file, kept so that the run can write it out for
  // `eqt eval` (never used in training). Empty when data.test names a file.
  std::vector<data::Structure> held_out_test;
};

// Which frames of a single file go where: a seeded permutation, the first test_fraction (rounded)
// to test, the next val_fraction to validation, the rest to training. Sorted indices.
struct SplitIndices {
  std::vector<int64_t> train, val, test;
};
SplitIndices random_split(int64_t count, double val_fraction, double test_fraction, int64_t seed);

// Reads the files of the config, checks that every trained target is present in every structure
// (error names the file, frame and key) and that validation species were seen in training.
// Neighbour lists are left empty; attach_neighbours computes them once the model (and so its
// graph rule, models::Model::graph_rule()) is known.
Datasets load_datasets(const TrainConfig& config);
void attach_neighbours(Split& split, const data::GraphRule& rule);

// Labels of one structure under the config's keys; throws naming `where` and the key when a
// trained label is missing.
Labels read_labels(const data::Structure& s, const TrainConfig& config, const std::string& where);

}  // namespace eqt::train
