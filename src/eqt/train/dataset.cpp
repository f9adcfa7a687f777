#include "eqt/train/dataset.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/labels.h"

namespace eqt::train {

namespace {

std::vector<Sample> read_samples(const std::string& file, const TrainConfig& config) {
  std::vector<data::Structure> structures = data::read_extxyz(file);
  if (structures.empty()) fail("{}: no structures", file);
  std::vector<Sample> samples;
  samples.reserve(structures.size());
  for (std::size_t k = 0; k < structures.size(); ++k) {
    Sample s;
    s.where = fmt::format("{}: frame {}", file, k);
    s.labels = read_labels(structures[k], config, s.where);
    s.structure = std::move(structures[k]);
    samples.push_back(std::move(s));
  }
  return samples;
}

std::vector<Sample> take(std::vector<Sample>& all, const std::vector<int64_t>& indices) {
  std::vector<Sample> out;
  out.reserve(indices.size());
  for (const int64_t i : indices) out.push_back(all[static_cast<std::size_t>(i)]);
  return out;
}

void limit(std::vector<Sample>& samples, int64_t max_structures) {
  if (max_structures > 0 && static_cast<int64_t>(samples.size()) > max_structures) {
    samples.resize(static_cast<std::size_t>(max_structures));
  }
}

void check_species(const Split& train, const Split& val) {
  const auto known = train.species();
  for (const auto& s : val.samples) {
    const auto* z = s.structure.numbers.data_ptr<int64_t>();
    for (int64_t i = 0; i < s.structure.num_atoms(); ++i) {
      if (!known.count(z[i])) {
        fail("{}: species {} does not occur in the training set", s.where, data::chemical_symbol(z[i]));
      }
    }
  }
}

// OC20's IS2RS labels: the relaxed positions under `key` and the tags that say which atoms move.
void read_relaxation_labels(const data::Structure& s, const std::string& key, const std::string& where,
                            Labels& labels) {
  if (!s.has_array(key)) {
    fail("{}: target key '{}' is absent (the per-atom relaxed positions; set targets.relaxed_positions.key to the "
         "column used in the file, or its weight to 0)", where, key);
  }
  const at::Tensor relaxed = s.arrays.at(key);
  if (relaxed.dim() != 2 || relaxed.size(0) != s.num_atoms() || relaxed.size(1) != 3) {
    fail("{}: '{}' must be a per-atom column of 3 numbers (relaxed positions), not {} per atom", where, key,
         relaxed.dim() == 2 ? relaxed.size(1) : 1);
  }
  if (!s.has_array("tags")) {
    fail("{}: targets.relaxed_positions needs the per-atom 'tags' column (0 fixed sub-surface, 1 surface, "
         "2 adsorbate): the loss is on the tag > 0 atoms", where);
  }
  labels.displacement = relaxed.to(at::kDouble) - s.positions.to(at::kDouble);
  labels.free_atoms = s.arrays.at("tags").reshape({-1}).gt(0);
}

}  // namespace

int64_t Split::num_atoms() const {
  int64_t n = 0;
  for (const auto& s : samples) n += s.structure.num_atoms();
  return n;
}

std::set<int64_t> Split::species() const {
  std::set<int64_t> out;
  for (const auto& s : samples) {
    const auto* z = s.structure.numbers.data_ptr<int64_t>();
    out.insert(z, z + s.structure.num_atoms());
  }
  return out;
}

Labels read_labels(const data::Structure& s, const TrainConfig& config, const std::string& where) {
  Labels labels;
  const auto missing = [&](const std::string& key) {
    fail("{}: target key '{}' is absent (set targets.*.key to the name used in the file, or its weight to 0)",
         where, key);
  };
  if (config.energy.trained()) {
    if (!s.has_info(config.energy.key)) missing(config.energy.key);
    labels.energy = at::scalar_tensor(s.info_scalar(config.energy.key), at::kDouble);
  }
  if (config.forces.trained()) {
    data::LabelKeys keys;
    keys.forces = config.forces.key;
    auto f = data::forces_label(s, keys);
    if (!f) missing(config.forces.key);
    labels.forces = *f;
  }
  if (config.stress.trained()) {
    data::LabelKeys keys;
    keys.stress = config.stress.key;
    auto st = data::stress_label(s, keys);
    if (!st) missing(config.stress.key);
    if (!s.periodic()) fail("{}: stress is trained but the structure is not periodic", where);
    labels.stress = *st;
  }
  if (config.dipole.trained()) {
    if (!s.has_info(config.dipole.key)) missing(config.dipole.key);
    auto d = s.info_tensor(config.dipole.key).to(at::kDouble).reshape({-1});
    if (d.numel() != 3) fail("{}: dipole '{}' must hold 3 numbers, not {}", where, config.dipole.key, d.numel());
    labels.dipole = d;
  }
  if (config.relaxed_positions.trained()) read_relaxation_labels(s, config.relaxed_positions.key, where, labels);
  return labels;
}

SplitIndices random_split(int64_t count, double val_fraction, double test_fraction, int64_t seed) {
  std::vector<int64_t> order(static_cast<std::size_t>(count));
  for (int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 rng(static_cast<uint64_t>(seed));
  // Fisher-Yates with our own index draw: std::shuffle's use of the engine is implementation-defined.
  for (int64_t i = count - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  const auto n_test = static_cast<int64_t>(std::llround(test_fraction * static_cast<double>(count)));
  const auto n_val = static_cast<int64_t>(std::llround(val_fraction * static_cast<double>(count)));
  SplitIndices out;
  for (int64_t k = 0; k < count; ++k) {
    auto& dest = k < n_test ? out.test : k < n_test + n_val ? out.val : out.train;
    dest.push_back(order[static_cast<std::size_t>(k)]);
  }
  for (auto* v : {&out.train, &out.val, &out.test}) std::sort(v->begin(), v->end());
  return out;
}

Datasets load_datasets(const TrainConfig& config) {
  if (!config.test_file.empty() && !std::filesystem::exists(config.test_file)) {
    fail("{}: data.test file does not exist", config.test_file);
  }
  Datasets d;
  d.train.name = "train";
  d.val.name = "val";
  std::vector<Sample> all = read_samples(config.train_file, config);
  if (config.val_file.empty()) {
    const double test_fraction = config.test_file.empty() ? config.test_fraction : 0.0;
    const SplitIndices split = random_split(static_cast<int64_t>(all.size()), config.val_fraction, test_fraction,
                                            config.split_seed);
    if (split.val.empty()) fail("{}: data.val_fraction leaves no validation structure", config.train_file);
    d.train.samples = take(all, split.train);
    d.val.samples = take(all, split.val);
    for (const int64_t i : split.test) d.held_out_test.push_back(all[static_cast<std::size_t>(i)].structure);
  } else {
    d.train.samples = std::move(all);
    d.val.samples = read_samples(config.val_file, config);
  }
  if (d.train.samples.empty()) fail("{}: no training structures left after the split", config.train_file);
  limit(d.train.samples, config.max_structures);
  limit(d.val.samples, config.max_structures);
  check_species(d.train, d.val);
  return d;
}

void attach_neighbours(Split& split, const data::GraphRule& rule) {
  for (auto& s : split.samples) s.neighbours = data::neighbour_list(s.structure, rule);
}

}  // namespace eqt::train
