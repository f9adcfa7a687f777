#pragma once
// Settings of ECSE (Pozdnyakov & Ceriotti, NeurIPS 2023): which coordinate frames are built and
// how smoothly they are weighted. Defaults are the official sp_default_hypers; the keys of
// from_json are the official (upper-case) names so reference files can be read as they are.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace eqt::models::ecse {

struct EcseHypers {
  double r_cut_outer_upper_bound = 10.0;  // outer cutoff = min(backbone cutoff, this)
  std::string cutoff_func_mode = "tanh";   // "tanh" or "exp"
  std::string q_func_mode = "tanh";        // "tanh" or "exp"
  bool add_linear_multiplier_q_func = true;
  double beta = 5.0;                       // sharpness of the smooth min / max of distances
  double beta_weights = 1.0;               // sharpness of the smooth max of frame weights
  double delta_r_cut = 0.15;               // width of the distance cutoffs
  double w = 0.2;                          // non-collinearity threshold on |n1 x n2|^2
  double delta_w = 0.15;
  double aux_threshold = 0.5;              // max frame weight below which the aux model takes over
  double aux_threshold_delta = 0.5;
  double pruning_threshold = 0.9;          // frames below this fraction of the max weight fade out
  double pruning_threshold_delta = 0.1;
  int64_t num_prunings = 4;
  double pruning_turn_on_threshold = 0.5;  // pruning only acts when the max weight is above this
  double pruning_turn_on_threshold_delta = 0.25;
  double epsilon = 1e-10;                  // frames with weight <= epsilon are dropped
  // eqt extension (key PRUNING_MODE, not official): "single" (default) applies the pruning factor
  // once, computed from the unpruned weights; "official" repeats it NUM_PRUNNINGS times with the
  // maximum recomputed after each pass, as upstream. Each pass multiplies the sensitivity of a
  // frame's weight to its raw weight by up to ~1 + 2/PRUNNING_THRESHOLD_DELTA (about 21), and the
  // repeated passes compound this into a near-jump (a frame's weight going from 4.3 to 0 while its
  // raw weight changes by 0.5 %): energy jumps in MD that do not shrink with the time step.
  // "official" is kept to reproduce the official outputs (docs/ecse.md).
  std::string pruning_mode = "single";
};

// Official key names (R_CUT_OUTER_UPPER_BOUND, ..., PRUNNING_THRESHOLD, ...); missing keys keep
// the defaults. Throws eqt::Error for SPECIES_PRUNNING = true or N_ADDITIONAL_AUG > 1, which this
// implementation does not support.
EcseHypers ecse_hypers_from_json(const nlohmann::json& json);
// The inverse, with the official key names.
nlohmann::json to_json(const EcseHypers& hypers);

}  // namespace eqt::models::ecse
