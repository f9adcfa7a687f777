#include "eqt/train/config_schema.h"

#include <yaml-cpp/yaml.h>

#include "eqt/core/error.h"
#include "eqt/models/model_kinds.h"

namespace eqt::train {

namespace {

using T = FieldType;

// The model: model.kind names a trainable architecture of the registry (models/model_kinds.h),
// each with its own section model.<kind>, plus optional ECSE wrapping.
std::vector<Field> model_fields() {
  std::string kinds;
  for (const auto& kind : models::trainable_kinds()) kinds += (kinds.empty() ? "" : " | ") + kind;
  std::vector<Field> fields = {{"model.kind", T::String, "equiformer", kinds}};
  for (const auto& kind : models::trainable_kinds()) {
    fields.push_back({"model." + kind, T::Any, "{}", models::config_help(kind)});
  }
  fields.push_back(
      {"model.ecse", T::Any, "null", "null: no ECSE; a mapping of ECSE hypers (official upper-case keys, {} = defaults)"});
  return fields;
}

std::vector<Field> make_fields() {
  std::vector<Field> fields = model_fields();
  const std::vector<Field> others = {
      {"model.dtype", T::String, "float32", "float32 | float64"},
      // Data.
      {"data.train", T::OptionalString, "null", "training extxyz file (relative paths: to the config file)"},
      {"data.val", T::OptionalString, "null", "validation extxyz file; null: split off data.train"},
      {"data.test", T::OptionalString, "null", "test extxyz file (recorded for eqt eval; not used in training)"},
      {"data.val_fraction", T::Float, "0.1", "fraction of data.train used for validation when data.val is null"},
      {"data.test_fraction", T::Float, "0.0", "fraction of data.train held out as test when data.test is null"},
      {"data.split_seed", T::Int, "0", "seed of the random split"},
      {"data.max_structures", T::Int, "0", "use at most this many structures per split (0: all; for quick checks)"},
      {"data.batch_size", T::Int, "8", "structures per batch"},
      {"data.batch_atoms", T::Int, "0", "> 0: batches of at most this many atoms instead of batch_size structures"},
      // Targets: weight 0 means not trained.
      {"targets.energy.key", T::String, "energy", "per-structure label learned by the model's energy output (e.g. U0, homo)"},
      {"targets.energy.weight", T::Float, "1.0", "loss weight"},
      {"targets.energy.loss", T::String, "mse", "mse | l1 | huber"},
      {"targets.energy.per_atom", T::Bool, "false", "loss on energy per atom instead of per structure"},
      {"targets.energy.ewt_threshold", T::Float, "0.0",
       "> 0: also log val_<key>_ewt, the fraction of validation structures with |error| below it, eV (OC20: 0.02)"},
      {"targets.forces.key", T::String, "forces", "per-atom [N, 3] label"},
      {"targets.forces.weight", T::Float, "100.0", "loss weight (0: energy-only training, no force graph)"},
      {"targets.forces.loss", T::String, "mse", "mse | l1 | huber"},
      {"targets.stress.key", T::String, "stress", "[3, 3] or Voigt label, eV/A^3"},
      {"targets.stress.weight", T::Float, "0.0", "loss weight"},
      {"targets.stress.loss", T::String, "mse", "mse | l1 | huber"},
      {"targets.dipole.key", T::String, "dipole", "per-structure [3] label (e*A); trains the model's own charge head, sum_i q_i (r_i - centroid)"},
      {"targets.dipole.weight", T::Float, "0.0", "loss weight"},
      {"targets.dipole.loss", T::String, "mse", "mse | l1 | huber"},
      {"targets.relaxed_positions.key", T::String, "pos_relaxed",
       "per-atom [N, 3] relaxed positions (OC20's IS2RS); trains the model's auxiliary head on tag > 0 atoms"},
      {"targets.relaxed_positions.weight", T::Float, "0.0",
       "initial loss weight (0: no auxiliary head); official OC20 trainer: 15"},
      {"targets.relaxed_positions.final_weight", T::Float, "1.0",
       "the weight decays linearly from weight to this over training.epochs (official: 1)"},
      {"targets.relaxed_positions.loss", T::String, "l1", "mse | l1 | huber (official: l1)"},
      {"targets.huber_delta", T::Float, "1.0", "Huber threshold in normalised units (error / scale)"},
      // Normalisation fitted on the training set.
      {"normalisation.reference_energies", T::Any, "auto",
       "auto: least squares per species; none; or a mapping {H: eV, ...}"},
      {"normalisation.mean", T::Any, "auto", "auto (0 with reference energies, else the mean energy) or a number, eV"},
      {"normalisation.scale", T::Any, "auto", "auto: force RMS (energy std without forces) or a number, eV"},
      {"normalisation.positions_std", T::Any, "auto",
       "relaxed_positions: auto (mean |relaxed - initial| over tag > 0 training atoms) or a number, A"},
      // Optimisation.
      {"optimiser.name", T::String, "adamw", "adamw | adam"},
      {"optimiser.lr", T::Float, "5.0e-4", "peak learning rate"},
      {"optimiser.weight_decay", T::Float, "0.0", "decoupled (adamw) or L2 (adam) weight decay"},
      {"optimiser.betas", T::FloatList, "[0.9, 0.999]", "Adam betas"},
      {"optimiser.eps", T::Float, "1.0e-8", "Adam epsilon"},
      {"optimiser.clip_grad_norm", T::Float, "0.0", "> 0: clip the gradient norm to this"},
      {"schedule.kind", T::String, "cosine", "cosine | plateau | constant"},
      {"schedule.warmup_epochs", T::Float, "0.0", "linear warm-up from 0 over this many epochs"},
      {"schedule.min_lr_factor", T::Float, "0.01", "cosine: final lr = lr * this; plateau: lower bound"},
      {"schedule.plateau_factor", T::Float, "0.5", "plateau: lr multiplied by this on a plateau"},
      {"schedule.plateau_patience", T::Int, "10", "plateau: validations without improvement before reducing"},
      // The loop.
      {"training.epochs", T::Int, "100", "passes over the training set"},
      {"training.max_steps", T::Int, "0", "> 0: stop after this many optimiser steps"},
      {"training.max_minutes", T::Float, "0.0", "> 0: wall-time budget; stops cleanly and exports the best model"},
      {"training.seed", T::Int, "0", "initial weights, shuffling, dropout"},
      {"training.val_every", T::Int, "1", "validate (and checkpoint) every this many epochs"},
      {"training.early_stopping_patience", T::Int, "0", "> 0: stop after this many validations without improvement"},
      {"training.ema_decay", T::Float, "0.99", "EMA of weights (0: off); used for validation and export"},
      {"training.max_skipped_steps", T::Int, "10",
       "steps with a non-finite loss or gradient are skipped; this many in a row stop the run"},
      {"training.log_every", T::Int, "50", "plain progress line every this many steps (non-terminal output)"},
  };
  fields.insert(fields.end(), others.begin(), others.end());
  return fields;
}

bool is_number(const YAML::Node& v) {
  try {
    (void)v.as<double>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool is_integer(const YAML::Node& v) {
  try {
    (void)v.as<long long>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool is_bool(const YAML::Node& v) {
  try {
    (void)v.as<bool>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}

bool is_null(const YAML::Node& v) { return v.IsNull() || (v.IsScalar() && (v.Scalar() == "null" || v.Scalar() == "~")); }

}  // namespace

const std::vector<Field>& config_fields() {
  static const std::vector<Field> fields = make_fields();
  return fields;
}

const Field* find_field(const std::string& path) {
  for (const auto& f : config_fields()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

const Field* enclosing_any_field(const std::string& path) {
  for (const auto& f : config_fields()) {
    if (f.type == FieldType::Any && path.size() > f.path.size() && path.compare(0, f.path.size(), f.path) == 0 &&
        path[f.path.size()] == '.') {
      return &f;
    }
  }
  return nullptr;
}

bool is_section(const std::string& path) {
  for (const auto& f : config_fields()) {
    if (f.path.size() > path.size() && f.path.compare(0, path.size(), path) == 0 && f.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

std::string field_type_name(FieldType type) {
  switch (type) {
    case T::Bool: return "a boolean";
    case T::Int: return "an integer";
    case T::Float: return "a number";
    case T::String: return "a string";
    case T::OptionalString: return "a string or null";
    case T::FloatList: return "a list of numbers";
    case T::Any: return "anything";
  }
  return "?";
}

void check_field_type(const Field& field, const YAML::Node& v, const std::string& origin) {
  bool ok = true;
  switch (field.type) {
    case T::Bool: ok = v.IsScalar() && is_bool(v); break;
    case T::Int: ok = v.IsScalar() && is_integer(v); break;
    case T::Float: ok = v.IsScalar() && is_number(v); break;
    case T::String: ok = v.IsScalar() && !is_null(v); break;
    case T::OptionalString: ok = is_null(v) || v.IsScalar(); break;
    case T::FloatList:
      ok = v.IsSequence();
      for (std::size_t i = 0; ok && i < v.size(); ++i) ok = v[i].IsScalar() && is_number(v[i]);
      break;
    case T::Any: break;
  }
  if (!ok) {
    fail("{}: key '{}' must be {} ({}), got '{}'", origin, field.path, field_type_name(field.type), field.help,
         YAML::Dump(v));
  }
}

}  // namespace eqt::train
