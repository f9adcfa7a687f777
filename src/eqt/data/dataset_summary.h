#pragma once
// What a user should know about a dataset before training on it: sizes, species, which labels are
// present, label statistics, neighbour counts at the model cutoff (Equiformer normalises messages
// by the average degree), the closest contact (overlapping atoms are a common data bug), and
// per-species reference energies fitted by least squares (the usual energy baseline).
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eqt/data/labels.h"
#include "eqt/data/structure.h"

namespace eqt::data {

struct RunningStats {
  int64_t count = 0;
  double sum = 0, sum_sq = 0, min = 0, max = 0;
  void add(double value);
  double mean() const;
  double std() const;  // population standard deviation
};

struct ClosestContact {
  double distance = 0;
  int64_t frame = -1, i = -1, j = -1;
};

struct DatasetSummary {
  int64_t frames = 0;
  int64_t periodic_frames = 0;
  RunningStats atoms_per_frame;
  std::map<int64_t, int64_t> species_counts;  // atomic number -> atoms
  int64_t frames_with_energy = 0, frames_with_forces = 0, frames_with_stress = 0;
  RunningStats energy, energy_per_atom;         // eV, eV/atom
  RunningStats force_component, force_norm;     // eV/A
  RunningStats stress_component;                // eV/A^3
  double cutoff = 0;
  RunningStats neighbours;                      // per atom, within cutoff
  std::optional<ClosestContact> closest;
  std::map<int64_t, double> reference_energies;  // eV per atom of each species
  std::optional<double> baseline_residual_rms;   // eV/atom, energy minus the fitted baseline
};

DatasetSummary summarise(const std::vector<Structure>& structures, double cutoff,
                         const LabelKeys& keys = {});
nlohmann::json to_json(const DatasetSummary& summary);
std::string format_summary(const DatasetSummary& summary);

}  // namespace eqt::data
