#pragma once
// Target normalisation fitted on the training set, and stored with the exported model (model.json
// "normalisation": {"mean", "std", "reference_energies"}):
//   E(structure) = model output * scale + mean + sum over atoms of reference_energies[Z].
// Reference energies come from least squares of the training energies on the composition
// (numpy.linalg.lstsq's minimum-norm solution, so species that always occur in the same ratio,
// as in one molecule's MD, share the energy evenly); scale is the RMS of the force components
// (or, without force labels, the std of the energies left after the references). Each of the three
// can be fixed in the config instead. OC20-style runs (reference_energies none, energy-only) get
// the official IS2RE normaliser: mean and std of the training set's relaxed energies.
//
// During training the model is built with scale only (mean 0, no references): the baseline
// mean + sum refs is added to its output in float64 outside the model, so that float32 training
// never subtracts two large total energies (-97,000 eV for ethanol) in single precision.
#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "eqt/train/config.h"
#include "eqt/train/dataset.h"

namespace eqt::train {

struct Normalisation {
  std::map<int64_t, double> reference_energies;  // Z -> eV
  double mean = 0.0;                             // eV per structure
  double scale = 1.0;                            // eV: energies and forces (eV/A) are divided by it
  double stress_scale = 1.0;                     // eV/A^3: RMS of the stress labels
  double dipole_scale = 1.0;                     // RMS of the dipole labels
  // A: the IS2RS displacement (relaxed - initial) is divided by it; fitted as the official
  // trainer's statistics do, the mean length |relaxed - initial| over the tag > 0 training atoms.
  double positions_std = 1.0;
  // mean + sum_i reference_energies[Z_i] for each structure, float64 [B].
  at::Tensor baseline(const at::Tensor& species, const at::Tensor& batch, int64_t num_structures) const;
  double baseline(const data::Structure& s) const;
};

// Least squares E_k ~= sum_Z counts[k][Z] * e_Z, minimum-norm solution. counts [K, S], energies [K].
std::vector<double> fit_reference_energies(const at::Tensor& counts, const at::Tensor& energies);

Normalisation fit_normalisation(const Split& train, const TrainConfig& config);

// Mean |displacement| over the free atoms of the training set (1 when there are none or all are 0).
double fit_positions_std(const Split& train);

// The model.json form {"mean", "std", "reference_energies": {"H": eV, ...}}; `with_baseline`
// false gives the training form (mean 0, no references).
nlohmann::json normalisation_json(const Normalisation& n, bool with_baseline);
// Everything (also the stress / dipole scales), for RUN_DIR/normalisation.json and checkpoints.
nlohmann::json to_json(const Normalisation& n);
Normalisation normalisation_from_json(const nlohmann::json& j);

}  // namespace eqt::train
