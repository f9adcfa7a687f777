#pragma once
// Training configs: a YAML file checked against the schema (config_schema.h), `--set
// dotted.key=value` overrides, and the resolved result (defaults filled in, data paths made
// absolute) both as YAML (written to RUN_DIR/config.yaml) and as a typed struct.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace eqt::train {

enum class LossKind { Mse, L1, Huber };

struct TargetConfig {
  std::string key;
  double weight = 0.0;
  LossKind loss = LossKind::Mse;
  bool per_atom = false;  // energy only
  double ewt_threshold = 0.0;  // energy only: > 0 logs the fraction of structures within it (OC20's EwT)
  // relaxed_positions only: the weight decays linearly from `weight` to this over the run
  // (auxiliary_weight.h); the official IS2RE + IS2RS trainer's 15 -> 1.
  double final_weight = 0.0;
  bool trained() const { return weight > 0.0; }
};

struct TrainConfig {
  // model
  std::string model_kind = "equiformer";
  YAML::Node model_section;  // model.equiformer or model.pet
  YAML::Node ecse;           // null: no ECSE
  std::string dtype = "float32";
  // data
  std::string train_file, val_file, test_file;  // absolute; empty when not given
  double val_fraction = 0.1, test_fraction = 0.0;
  int64_t split_seed = 0;
  int64_t max_structures = 0;
  int64_t batch_size = 8, batch_atoms = 0;
  // targets
  TargetConfig energy, forces, stress, dipole;
  // OC20's IS2RS auxiliary task: per-atom relaxed positions (key pos_relaxed); the model's
  // auxiliary head regresses (relaxed - initial) / positions_std on the tag > 0 atoms.
  TargetConfig relaxed_positions;
  double huber_delta = 1.0;
  // normalisation: YAML as given ("auto", "none", a mapping or a number)
  YAML::Node reference_energies, mean, scale;
  YAML::Node positions_std;  // "auto" or a number, A
  // optimiser and schedule
  std::string optimiser = "adamw";
  double lr = 5e-4, weight_decay = 0.0, eps = 1e-8, clip_grad_norm = 0.0;
  double beta1 = 0.9, beta2 = 0.999;
  std::string schedule = "cosine";
  double warmup_epochs = 0.0, min_lr_factor = 0.01, plateau_factor = 0.5;
  int64_t plateau_patience = 10;
  // loop
  int64_t epochs = 100, max_steps = 0;
  double max_minutes = 0.0;
  int64_t seed = 0, val_every = 1, early_stopping_patience = 0, log_every = 50;
  int64_t max_skipped_steps = 10;  // consecutive steps with a non-finite loss or gradient before the run stops
  double ema_decay = 0.99;
};

struct LoadedConfig {
  YAML::Node resolved;  // every key of the schema, user values merged onto the defaults
  TrainConfig config;
};

// Reads `path`, applies `overrides` ("dotted.key=value", value parsed as YAML), checks every key
// and type and resolves relative data paths against the file's directory. Throws eqt::Error
// naming the file and the key for unknown keys, wrong types and bad values (files are checked
// later, when the data is read).
LoadedConfig load_config(const std::filesystem::path& path, const std::vector<std::string>& overrides = {});
// The same on YAML text (`origin` names it in errors; relative paths resolve against base_dir).
LoadedConfig parse_config(const std::string& text, const std::string& origin,
                          const std::filesystem::path& base_dir, const std::vector<std::string>& overrides = {});

// The resolved config as YAML text (what RUN_DIR/config.yaml holds).
std::string dump_config(const YAML::Node& resolved);

LossKind parse_loss_kind(const std::string& name, const std::string& key);

}  // namespace eqt::train
