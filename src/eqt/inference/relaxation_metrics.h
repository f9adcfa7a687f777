#pragma once
// `eqt eval` for models that predict relaxed structures from initial ones (OC20's IS2RE / IS2RS,
// the "relaxed_positions" output of models/equiformer_oc20): which atoms count, the per-structure
// comparisons added to train::EvaluationMetrics, and OC20's summary figures computed from them.
//
// Targets added per structure (only the free atoms, see free_atoms):
//   "relaxed_positions"          component errors of predicted vs labelled relaxed positions, A;
//                                differences taken to the nearest periodic image (as OC20's min_diff)
//   "relaxed_distance"           per free atom, the distance |predicted - label| (reference 0), A
//   "relaxed_mean_distance"      per structure, the mean of those distances (reference 0), A
// Summary (OC20's definitions, ocp's evaluator):
//   energy_ewt  fraction of structures with |predicted - labelled energy| < 0.02 eV
//   adwt        mean, over thresholds 0.01, 0.011, ..., 0.499 A, of the fraction of structures
//               whose mean free-atom distance is below the threshold (OC20's ADwT)
//   atoms_within  fraction of free atoms within 0.02, 0.05, 0.1, 0.2, 0.5 A of their label
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "eqt/data/structure.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/train/evaluation_metrics.h"

namespace eqt::inference {

inline constexpr const char* kRelaxedPositionsLabel = "pos_relaxed";  // default label key
inline constexpr double kEnergyWithinThreshold = 0.02;                // eV, OC20's EwT

// bool [N]: atoms with tag > 0 ("tags" column), else those not marked in a "fixed" column, else
// those with any free direction in ASE's "move_mask" column, else all atoms.
at::Tensor free_atoms(const data::Structure& s);

// Adds the targets above when the prediction has "relaxed_positions" and the structure has the
// label `label_key`; returns whether it did. Fails (naming `where`) on a label of the wrong shape.
bool compare_relaxation(const data::Structure& s, const StructurePrediction& p, const std::string& label_key,
                        const std::string& where, train::EvaluationMetrics& metrics);

// The summary above from accumulated metrics; keys are left out when their targets are missing.
nlohmann::json relaxation_summary(const train::EvaluationMetrics& metrics);
std::string relaxation_summary_text(const nlohmann::json& summary);

// The names of the distance targets, whose parity plots (against 0) say nothing.
bool is_relaxation_distance_target(const std::string& name);

}  // namespace eqt::inference
