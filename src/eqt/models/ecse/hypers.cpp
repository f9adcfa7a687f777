#include "eqt/models/ecse/hypers.h"

#include "eqt/core/error.h"

namespace eqt::models::ecse {
namespace {

template <typename T>
void read(const nlohmann::json& json, const char* key, T& value) {
  if (json.contains(key) && !json.at(key).is_null()) value = json.at(key).get<T>();
}

void check_mode(const std::string& mode, const char* key) {
  if (mode != "tanh" && mode != "exp") fail("ECSE hypers: {} must be 'tanh' or 'exp', got '{}'", key, mode);
}

}  // namespace

EcseHypers ecse_hypers_from_json(const nlohmann::json& json) {
  EcseHypers h;
  read(json, "R_CUT_OUTER_UPPER_BOUND", h.r_cut_outer_upper_bound);
  read(json, "CUTOFF_FUNC_MODE", h.cutoff_func_mode);
  read(json, "Q_FUNC_MODE", h.q_func_mode);
  read(json, "ADD_LINEAR_MULTIPLIER_Q_FUNC", h.add_linear_multiplier_q_func);
  read(json, "BETA", h.beta);
  read(json, "BETA_WEIGHTS", h.beta_weights);
  read(json, "DELTA_R_CUT", h.delta_r_cut);
  read(json, "W", h.w);
  read(json, "DELTA_W", h.delta_w);
  read(json, "AUX_THRESHOLD", h.aux_threshold);
  read(json, "AUX_THRESHOLD_DELTA", h.aux_threshold_delta);
  read(json, "PRUNNING_THRESHOLD", h.pruning_threshold);
  read(json, "PRUNNING_THRESHOLD_DELTA", h.pruning_threshold_delta);
  read(json, "NUM_PRUNNINGS", h.num_prunings);
  read(json, "PRUNNING_TURN_ON_THRESHOLD", h.pruning_turn_on_threshold);
  read(json, "PRUNNING_TURN_ON_THRESHOLD_DELTA", h.pruning_turn_on_threshold_delta);
  read(json, "PRUNING_MODE", h.pruning_mode);
  if (h.pruning_mode != "single" && h.pruning_mode != "official") {
    fail("ECSE hypers: PRUNING_MODE must be 'single' or 'official', got '{}'", h.pruning_mode);
  }
  check_mode(h.cutoff_func_mode, "CUTOFF_FUNC_MODE");
  check_mode(h.q_func_mode, "Q_FUNC_MODE");
  bool species_pruning = false;
  read(json, "SPECIES_PRUNNING", species_pruning);
  if (species_pruning) fail("ECSE hypers: SPECIES_PRUNNING = true is not supported");
  int64_t n_aug = 1;
  read(json, "N_ADDITIONAL_AUG", n_aug);
  // N_ADDITIONAL_AUG only matters in the official training-time augmentation; inference uses
  // the identity as the single additional rotation.
  if (n_aug > 1) fail("ECSE hypers: N_ADDITIONAL_AUG = {} is not supported (only 1)", n_aug);
  return h;
}

nlohmann::json to_json(const EcseHypers& h) {
  return {{"R_CUT_OUTER_UPPER_BOUND", h.r_cut_outer_upper_bound},
          {"CUTOFF_FUNC_MODE", h.cutoff_func_mode},
          {"Q_FUNC_MODE", h.q_func_mode},
          {"ADD_LINEAR_MULTIPLIER_Q_FUNC", h.add_linear_multiplier_q_func},
          {"BETA", h.beta},
          {"BETA_WEIGHTS", h.beta_weights},
          {"DELTA_R_CUT", h.delta_r_cut},
          {"W", h.w},
          {"DELTA_W", h.delta_w},
          {"AUX_THRESHOLD", h.aux_threshold},
          {"AUX_THRESHOLD_DELTA", h.aux_threshold_delta},
          {"PRUNNING_THRESHOLD", h.pruning_threshold},
          {"PRUNNING_THRESHOLD_DELTA", h.pruning_threshold_delta},
          {"NUM_PRUNNINGS", h.num_prunings},
          {"PRUNNING_TURN_ON_THRESHOLD", h.pruning_turn_on_threshold},
          {"PRUNNING_TURN_ON_THRESHOLD_DELTA", h.pruning_turn_on_threshold_delta},
          {"PRUNING_MODE", h.pruning_mode}};
}

}  // namespace eqt::models::ecse
