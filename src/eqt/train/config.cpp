#include "eqt/train/config.h"

#include <fstream>
#include <optional>
#include <sstream>

#include "eqt/core/error.h"
#include "eqt/io/file_digest.h"
#include "eqt/models/model_kinds.h"
#include "eqt/train/config_schema.h"

namespace eqt::train {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '.')) parts.push_back(part);
  return parts;
}

// Walks a user mapping and rejects keys the schema does not know, and values of the wrong type.
void check_keys(const YAML::Node& node, const std::string& prefix, const std::string& origin) {
  if (!node.IsMap()) {
    fail("{}: '{}' must be a mapping of keys", origin, prefix.empty() ? std::string("the config") : prefix);
  }
  for (const auto& item : node) {
    if (!item.first.IsScalar()) {
      fail("{}: line {}: a key {}is not a plain name (a YAML complex key, '? ...')", origin,
           item.first.Mark().line + 1, prefix.empty() ? std::string() : "under '" + prefix + "' ");
    }
    const std::string key = item.first.as<std::string>();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (const Field* field = find_field(path)) {
      check_field_type(*field, item.second, origin);
    } else if (is_section(path)) {
      check_keys(item.second, path, origin);
    } else {
      fail("{}: unknown key '{}'", origin, path);
    }
  }
}

// Sets node[a][b][c] = value for path "a.b.c", creating mappings on the way. Recursion (rather
// than rebinding a Node in a loop) because yaml-cpp's Node assignment writes through references.
void set_path(YAML::Node node, const std::vector<std::string>& parts, std::size_t i, const YAML::Node& value) {
  if (i + 1 == parts.size()) {
    node[parts[i]] = value;
    return;
  }
  if (!node[parts[i]].IsMap()) node[parts[i]] = YAML::Node(YAML::NodeType::Map);
  set_path(node[parts[i]], parts, i + 1, value);
}

// nullopt when the path is absent (a default-constructed Node would be a defined null).
std::optional<YAML::Node> find_path(const YAML::Node& root, const std::string& path) {
  YAML::Node node = YAML::Clone(root);
  for (const auto& part : split_path(path)) {
    if (!node.IsMap() || !node[part]) return std::nullopt;
    node.reset(node[part]);
  }
  return node;
}

YAML::Node get_path(const YAML::Node& root, const std::string& path) {
  auto found = find_path(root, path);
  if (!found) fail("internal: resolved config lacks '{}'", path);
  return *found;
}

void apply_override(YAML::Node& user, const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) fail("--set '{}': expected dotted.key=value", text);
  const std::string path = text.substr(0, eq);
  if (!find_field(path) && !enclosing_any_field(path)) {
    fail("--set '{}': unknown key '{}'", text, path);
  }
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    fail("--set '{}': bad YAML value: {}", text, e.what());
  }
  if (!user.IsMap()) user = YAML::Node(YAML::NodeType::Map);
  set_path(user, split_path(path), 0, value);
}

YAML::Node merged_with_defaults(const YAML::Node& user) {
  YAML::Node out(YAML::NodeType::Map);
  for (const auto& field : config_fields()) {
    const auto given = find_path(user, field.path);
    const YAML::Node value = given ? *given : YAML::Load(field.default_yaml);
    set_path(out, split_path(field.path), 0, YAML::Clone(value));
  }
  return out;
}

template <typename V>
V get(const YAML::Node& resolved, const std::string& path) {
  try {
    return get_path(resolved, path).as<V>();
  } catch (const YAML::Exception& e) {
    fail("key '{}': {}", path, e.what());
  }
}

std::string optional_path(const YAML::Node& resolved, const std::string& key, const fs::path& base) {
  const YAML::Node v = get_path(resolved, key);
  if (v.IsNull() || v.Scalar() == "null" || v.Scalar() == "~" || v.Scalar().empty()) return "";
  fs::path p = v.as<std::string>();
  if (p.is_relative()) p = base / p;
  return fs::absolute(p).lexically_normal().string();
}

TargetConfig target(const YAML::Node& r, const std::string& name, const std::string& origin) {
  TargetConfig t;
  t.key = get<std::string>(r, "targets." + name + ".key");
  t.weight = get<double>(r, "targets." + name + ".weight");
  t.loss = parse_loss_kind(get<std::string>(r, "targets." + name + ".loss"), origin + ": targets." + name + ".loss");
  if (name == "energy") {
    t.per_atom = get<bool>(r, "targets.energy.per_atom");
    t.ewt_threshold = get<double>(r, "targets.energy.ewt_threshold");
    if (t.ewt_threshold < 0.0) fail("{}: key 'targets.energy.ewt_threshold' must be >= 0", origin);
  }
  if (name == "relaxed_positions") {
    t.final_weight = get<double>(r, "targets.relaxed_positions.final_weight");
    if (t.final_weight < 0.0) fail("{}: key 'targets.relaxed_positions.final_weight' must be >= 0", origin);
  }
  if (t.weight < 0.0) fail("{}: key 'targets.{}.weight' must be >= 0", origin, name);
  return t;
}

void require(bool ok, const std::string& origin, const std::string& key, const std::string& what) {
  if (!ok) fail("{}: key '{}' {}", origin, key, what);
}

void check_choice(const std::string& value, const std::vector<std::string>& choices, const std::string& origin,
                  const std::string& key) {
  for (const auto& c : choices) {
    if (value == c) return;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail("{}: key '{}' must be one of {}, not '{}'", origin, key, list, value);
}

TrainConfig typed_config(const YAML::Node& r, const std::string& origin, const fs::path& base) {
  TrainConfig c;
  c.model_kind = get<std::string>(r, "model.kind");
  check_choice(c.model_kind, models::trainable_kinds(), origin, "model.kind");
  c.model_section = get_path(r, "model." + c.model_kind);
  c.ecse = get_path(r, "model.ecse");
  require(c.ecse.IsNull() || c.ecse.IsMap(), origin, "model.ecse", "must be null or a mapping of ECSE hypers");
  c.dtype = get<std::string>(r, "model.dtype");
  check_choice(c.dtype, {"float32", "float64"}, origin, "model.dtype");
  c.train_file = optional_path(r, "data.train", base);
  c.val_file = optional_path(r, "data.val", base);
  c.test_file = optional_path(r, "data.test", base);
  require(!c.train_file.empty(), origin, "data.train", "is required (the training extxyz file)");
  c.val_fraction = get<double>(r, "data.val_fraction");
  c.test_fraction = get<double>(r, "data.test_fraction");
  require(c.val_fraction >= 0 && c.test_fraction >= 0 && c.val_fraction + c.test_fraction < 1, origin,
          "data.val_fraction", "and data.test_fraction must be >= 0 with a sum below 1");
  require(!c.val_file.empty() || c.val_fraction > 0, origin, "data.val",
          "is needed (or data.val_fraction > 0): training validates on a held-out set");
  c.split_seed = get<int64_t>(r, "data.split_seed");
  c.max_structures = get<int64_t>(r, "data.max_structures");
  c.batch_size = get<int64_t>(r, "data.batch_size");
  c.batch_atoms = get<int64_t>(r, "data.batch_atoms");
  require(c.batch_size > 0, origin, "data.batch_size", "must be > 0");
  require(c.batch_atoms >= 0, origin, "data.batch_atoms", "must be >= 0");
  c.energy = target(r, "energy", origin);
  c.forces = target(r, "forces", origin);
  c.stress = target(r, "stress", origin);
  c.dipole = target(r, "dipole", origin);
  c.relaxed_positions = target(r, "relaxed_positions", origin);
  require(c.energy.trained() || c.forces.trained() || c.stress.trained() || c.dipole.trained() ||
              c.relaxed_positions.trained(),
          origin,
          "targets", "must give at least one target a weight > 0");
  c.huber_delta = get<double>(r, "targets.huber_delta");
  require(c.huber_delta > 0, origin, "targets.huber_delta", "must be > 0");
  c.reference_energies = get_path(r, "normalisation.reference_energies");
  c.mean = get_path(r, "normalisation.mean");
  c.scale = get_path(r, "normalisation.scale");
  c.positions_std = get_path(r, "normalisation.positions_std");
  c.optimiser = get<std::string>(r, "optimiser.name");
  check_choice(c.optimiser, {"adamw", "adam"}, origin, "optimiser.name");
  c.lr = get<double>(r, "optimiser.lr");
  require(c.lr > 0, origin, "optimiser.lr", "must be > 0");
  c.weight_decay = get<double>(r, "optimiser.weight_decay");
  const auto betas = get<std::vector<double>>(r, "optimiser.betas");
  require(betas.size() == 2, origin, "optimiser.betas", "must hold two numbers");
  c.beta1 = betas[0];
  c.beta2 = betas[1];
  c.eps = get<double>(r, "optimiser.eps");
  c.clip_grad_norm = get<double>(r, "optimiser.clip_grad_norm");
  c.schedule = get<std::string>(r, "schedule.kind");
  check_choice(c.schedule, {"cosine", "plateau", "constant"}, origin, "schedule.kind");
  c.warmup_epochs = get<double>(r, "schedule.warmup_epochs");
  c.min_lr_factor = get<double>(r, "schedule.min_lr_factor");
  c.plateau_factor = get<double>(r, "schedule.plateau_factor");
  c.plateau_patience = get<int64_t>(r, "schedule.plateau_patience");
  c.epochs = get<int64_t>(r, "training.epochs");
  require(c.epochs > 0, origin, "training.epochs", "must be > 0");
  c.max_steps = get<int64_t>(r, "training.max_steps");
  c.max_minutes = get<double>(r, "training.max_minutes");
  c.seed = get<int64_t>(r, "training.seed");
  c.val_every = get<int64_t>(r, "training.val_every");
  require(c.val_every > 0, origin, "training.val_every", "must be > 0");
  c.early_stopping_patience = get<int64_t>(r, "training.early_stopping_patience");
  c.ema_decay = get<double>(r, "training.ema_decay");
  require(c.ema_decay >= 0 && c.ema_decay < 1, origin, "training.ema_decay", "must be in [0, 1)");
  c.log_every = std::max<int64_t>(1, get<int64_t>(r, "training.log_every"));
  c.max_skipped_steps = get<int64_t>(r, "training.max_skipped_steps");
  require(c.max_skipped_steps > 0, origin, "training.max_skipped_steps", "must be > 0");
  return c;
}

}  // namespace

LossKind parse_loss_kind(const std::string& name, const std::string& key) {
  if (name == "mse") return LossKind::Mse;
  if (name == "l1") return LossKind::L1;
  if (name == "huber") return LossKind::Huber;
  fail("{}: loss must be mse, l1 or huber, not '{}'", key, name);
}

namespace {

LoadedConfig parse_config_checked(const std::string& text, const std::string& origin, const fs::path& base_dir,
                                  const std::vector<std::string>& overrides) {
  YAML::Node user;
  try {
    user = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail("{}: not valid YAML: {}", origin, e.what());
  }
  if (user.IsNull()) user = YAML::Node(YAML::NodeType::Map);
  check_keys(user, "", origin);
  for (const auto& o : overrides) apply_override(user, o);
  check_keys(user, "", origin + " (after --set)");
  LoadedConfig out;
  out.resolved = merged_with_defaults(user);
  try {
    out.config = typed_config(out.resolved, origin, base_dir);
  } catch (const YAML::Exception& e) {
    fail("{}: {}", origin, e.what());
  }
  // Record absolute data paths, so a run directory can be resumed from anywhere.
  for (const char* key : {"train", "val", "test"}) {
    const std::string& p = key == std::string("train") ? out.config.train_file
                           : key == std::string("val") ? out.config.val_file
                                                       : out.config.test_file;
    if (!p.empty()) out.resolved["data"][key] = p;
  }
  return out;
}

}  // namespace

LoadedConfig parse_config(const std::string& text, const std::string& origin, const fs::path& base_dir,
                          const std::vector<std::string>& overrides) {
  try {
    return parse_config_checked(text, origin, base_dir, overrides);
  } catch (const YAML::Exception& e) {
    // Each check above names its key; this is the backstop for a shape of YAML none of them
    // expected (found by fuzz/fuzz_training_config.cpp), so the user still learns which file.
    fail("{}: {}", origin, e.what());
  }
}

LoadedConfig load_config(const fs::path& path, const std::vector<std::string>& overrides) {
  // A training config is a page of YAML; 16 MiB is far beyond any real one.
  constexpr uint64_t kMaxConfigBytes = uint64_t{16} << 20;
  const std::string text = io::read_small_file(path, kMaxConfigBytes);
  return parse_config(text, path.string(), fs::absolute(path).parent_path(), overrides);
}

std::string dump_config(const YAML::Node& resolved) {
  YAML::Emitter out;
  out << resolved;
  return std::string(out.c_str()) + "\n";
}

}  // namespace eqt::train
