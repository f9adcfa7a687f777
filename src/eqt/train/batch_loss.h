#pragma once
// One batch through a model: predictions of the trained targets, their labels, the weighted loss
// on normalised errors, and running error sums in physical units for the metrics.
#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "eqt/data/graph.h"
#include "eqt/models/model.h"
#include "eqt/train/config.h"
#include "eqt/train/dataset.h"
#include "eqt/train/normalisation.h"

namespace eqt::train {

struct BatchData {
  data::Graph graph;
  at::Tensor energy_residual;  // [B] label - baseline (computed in float64), model dtype
  at::Tensor baseline;         // [B] float64
  at::Tensor num_atoms;        // [B] model dtype
  at::Tensor forces, stress, dipole;
  // relaxed_positions: relaxed - initial positions [N, 3] and the atoms trained on (tag > 0, bool
  // [N]); the weight of this step (auxiliary_weight.h; make_batch sets the initial weight).
  at::Tensor displacement, free_atoms;
  double relaxed_positions_weight = 0.0;
  // Elements behind each target's loss in the whole step (label_counts); empty: this batch's own.
  // Data-parallel training gives each rank a part of a step's batch and the counts of the whole,
  // so that the ranks' losses add up to the loss of the whole batch.
  std::map<std::string, int64_t> step_counts;
};

BatchData make_batch(const Split& split, const std::vector<int64_t>& indices, const TrainConfig& config,
                     const Normalisation& normalisation, c10::ScalarType dtype);

// Label elements per target name (target_names) of the structures `indices`: the losses divide
// by these. For relaxed_positions the elements are the free atoms (the official IS2RS loss sums
// the three components of an atom and averages over atoms).
std::map<std::string, int64_t> label_counts(const Split& split, const std::vector<int64_t>& indices,
                                            const TrainConfig& config);

// Sums of |error| and error^2 over elements, physical units (eV, eV/A, eV/A^3, dipole units).
struct ErrorSums {
  double abs = 0.0, sq = 0.0;
  int64_t count = 0;
  int64_t within = 0;  // energy with targets.energy.ewt_threshold > 0: elements with |error| below it
  double fraction_within() const { return count ? static_cast<double>(within) / static_cast<double>(count) : 0.0; }
  double mae() const { return count ? abs / static_cast<double>(count) : 0.0; }
  double rmse() const;
};

struct BatchResult {
  at::Tensor loss;                        // weighted sum, differentiable when training (over step_counts)
  std::map<std::string, double> losses;   // per-target mean loss over this batch (detached)
  std::map<std::string, int64_t> counts;  // elements behind each of those means
  std::map<std::string, ErrorSums> errors;
};

// Target names used for metrics columns: the energy label's key ("energy", "U0", ...), "forces",
// "stress", "dipole", "relaxed_positions" (errors of the predicted relaxed positions of the free
// atoms, A per component); only trained ones, in this order.
std::vector<std::string> target_names(const TrainConfig& config);

// The weight each target's mean loss gets in the logged train_loss / val_loss: its config weight,
// relaxed_positions at its final (scheduled) weight, so that validations compare across the run.
double reported_weight(const TrainConfig& config, const std::string& name);

// training: forces / stress keep their graph (create_graph) so their loss can be trained.
BatchResult batch_loss(models::Model& model, const BatchData& batch, const TrainConfig& config,
                       const Normalisation& normalisation, bool training);

}  // namespace eqt::train
