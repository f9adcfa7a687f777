#include "eqt/train/trainer.h"

#include <ATen/Context.h>
#include <fmt/format.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "eqt/core/device.h"
#include "eqt/core/dtype.h"
#include "eqt/core/cuda_sync_check.h"
#include "eqt/core/error.h"
#include "eqt/core/threads.h"
#include "eqt/data/extxyz_writer.h"
#include "eqt/data/output_file.h"
#include "eqt/models/model_dir.h"
#include "eqt/train/auxiliary_weight.h"
#include "eqt/train/batch_loss.h"
#include "eqt/train/batching.h"
#include "eqt/train/checkpoint.h"
#include "eqt/parallel/communicator.h"
#include "eqt/parallel/device_of_rank.h"
#include "eqt/train/config.h"
#include "eqt/train/data_parallel.h"
#include "eqt/train/dataset.h"
#include "eqt/train/fused_adamw.h"
#include "eqt/train/model_factory.h"
#include "eqt/train/normalisation.h"
#include "eqt/train/run_files.h"
#include "eqt/train/schedule.h"
#include "eqt/train/weights.h"

namespace eqt::train {

namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  data::AtomicOutputFile out(path, false);
  out.write(text);
  out.commit();
}

// Sums over an epoch (training) or a pass over the validation set.
struct Totals {
  std::map<std::string, double> loss_sum;
  std::map<std::string, int64_t> loss_count;
  std::map<std::string, ErrorSums> errors;
  void add(const BatchResult& r) {
    for (const auto& [name, value] : r.losses) {
      loss_sum[name] += value * static_cast<double>(r.counts.at(name));
      loss_count[name] += r.counts.at(name);
    }
    for (const auto& [name, e] : r.errors) {
      auto& t = errors[name];
      t.abs += e.abs;
      t.sq += e.sq;
      t.count += e.count;
      t.within += e.within;
    }
  }
  // Sums over the ranks (every rank then holds the totals of the whole step set, in targets order).
  void all_reduce(parallel::Communicator& comm, const std::vector<std::string>& targets) {
    if (comm.size() == 1) return;
    std::vector<double> values;
    for (const auto& t : targets) {
      const auto& e = errors[t];
      values.insert(values.end(), {loss_sum[t], static_cast<double>(loss_count[t]), e.abs, e.sq,
                                   static_cast<double>(e.count), static_cast<double>(e.within)});
    }
    std::vector<at::Tensor> tensors{at::tensor(values, at::kDouble)};
    comm.all_reduce_sum(tensors, "metrics");
    const double* v = tensors[0].data_ptr<double>();
    for (const auto& t : targets) {
      loss_sum[t] = v[0];
      loss_count[t] = std::llround(v[1]);
      errors[t] = ErrorSums{v[2], v[3], std::llround(v[4]), std::llround(v[5])};
      v += 6;
    }
  }
  double weighted_loss(const TrainConfig& c) const {
    double total = 0.0;
    for (const auto& [name, sum] : loss_sum) {
      total += reported_weight(c, name) * sum / static_cast<double>(std::max<int64_t>(1, loss_count.at(name)));
    }
    return total;
  }
};

// A seed per optimiser step, so dropout (and anything else drawing from the global generator)
// is reproducible after a resume without saving generator state.
uint64_t step_seed(int64_t seed, int64_t step) {
  return static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(step) + 1;
}

class Trainer {
 public:
  explicit Trainer(const TrainOptions& options)
      : options_(options),
        comm_(options.communicator ? options.communicator : parallel::Communicator::single()),
        dir_(options.run_dir) {}
  TrainSummary run();

 private:
  void load_config();
  void prepare_run_dir();
  void build();
  void train_step(const Batch& batch, Totals& totals);
  void skip_step(const Batch& batch, double loss, double gradient_norm);
  std::string structures_of(const Batch& batch) const;
  Totals validate();
  bool after_validation(Totals train, const Totals& val);
  void export_best();
  double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  std::vector<int64_t> atoms_per_structure() const;
  std::vector<Batch> global_batches(int64_t epoch) const;
  std::vector<std::string> extra_columns() const;
  void log(const std::string& line) {
    if (files_) files_->log(line);
  }

  TrainOptions options_;
  std::shared_ptr<parallel::Communicator> comm_;
  fs::path dir_;
  LoadedConfig loaded_;
  TrainConfig c_;
  Datasets data_;
  Normalisation norm_;
  ModelRecipe recipe_;
  c10::ScalarType dtype_ = at::kFloat;
  std::shared_ptr<models::Model> model_, ema_;
  std::unique_ptr<torch::optim::Optimizer> optimiser_;
  std::unique_ptr<LrSchedule> schedule_;
  TrainingState state_;
  std::unique_ptr<RunFiles> files_;
  std::vector<std::string> targets_;
  double lr_ = 0.0;
  double auxiliary_weight_ = 0.0;  // relaxed_positions' weight at the last step
  int64_t total_steps_ = 0;        // steps per epoch x training.epochs (the schedules' length)
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

void Trainer::load_config() {
  if (options_.resume) {
    const fs::path path = dir_ / "config.yaml";
    if (!fs::exists(path)) fail("{}: not a run directory (no config.yaml)", dir_.string());
    loaded_ = train::load_config(path, options_.overrides);
  } else {
    loaded_ = train::load_config(options_.config_path, options_.overrides);
  }
  c_ = loaded_.config;
  dtype_ = parse_dtype(c_.dtype);
}

void Trainer::prepare_run_dir() {
  // Only a run with a checkpoint is worth protecting; one that failed before its first validation
  // (bad data, killed early) is simply started again.
  if (!options_.resume && fs::exists(dir_ / "checkpoints" / "last" / kCheckpointFile)) {
    fail("{}: already holds a training run (use --resume {} to continue it, or another --run-dir)", dir_.string(),
         dir_.string());
  }
  if (!comm_->is_root()) return;  // rank 0 alone writes the run directory
  fs::create_directories(dir_);
  write_text(dir_ / "config.yaml", dump_config(loaded_.resolved));
}

// The epoch's steps: batches of ranks x batch_size structures (or ranks x batch_atoms atoms), the
// same on every rank; each rank trains on its shard_of each.
std::vector<Batch> Trainer::global_batches(int64_t epoch) const {
  const int64_t ranks = comm_->size();
  return make_batches(epoch_permutation(static_cast<int64_t>(data_.train.samples.size()), c_.seed, epoch),
                      atoms_per_structure(), c_.batch_size * ranks, c_.batch_atoms * ranks);
}

// OC20's EwT of the validation energies, when asked for (targets.energy.ewt_threshold).
std::vector<std::string> Trainer::extra_columns() const {
  if (!c_.energy.trained() || c_.energy.ewt_threshold <= 0) return {};
  return {"val_" + c_.energy.key + "_ewt"};
}

std::vector<int64_t> Trainer::atoms_per_structure() const {
  std::vector<int64_t> n;
  for (const auto& s : data_.train.samples) n.push_back(s.structure.num_atoms());
  return n;
}

void Trainer::build() {
  data_ = load_datasets(c_);
  targets_ = target_names(c_);
  if (options_.resume) {
    state_ = read_checkpoint_state(dir_ / "checkpoints" / "last");
    norm_ = normalisation_from_json(state_.extra.at("normalisation"));
    recipe_.kind = state_.extra.at("kind").get<std::string>();
    recipe_.architecture = state_.extra.at("architecture");
  } else {
    norm_ = fit_normalisation(data_.train, c_);
    recipe_ = model_recipe(c_, data_.train.species(), norm_.positions_std);
  }
  at::manual_seed(static_cast<uint64_t>(c_.seed));
  const nlohmann::json training_norm = normalisation_json(norm_, false);
  model_ = build_model(recipe_, training_norm, dtype_);
  ema_ = build_model(recipe_, training_norm, dtype_);
  const c10::Device device = parallel::device_for_launch(parse_device(options_.device), comm_->launch());
  if (!device.is_cpu()) {  // before the optimiser is made: it keeps references to the parameters
    model_->to(device);
    ema_->to(device);
  }
  copy_weights(*model_, *ema_);
  for (auto& p : ema_->parameters()) p.set_requires_grad(false);
  ema_->eval();
  attach_neighbours(data_.train, model_->graph_rule());
  attach_neighbours(data_.val, model_->graph_rule());
  if (c_.optimiser == "adamw") {
    optimiser_ = std::make_unique<FusedAdamW>(
        model_->parameters(), torch::optim::AdamWOptions(c_.lr).betas({c_.beta1, c_.beta2}).eps(c_.eps).weight_decay(
                                  c_.weight_decay));
  } else {
    optimiser_ = std::make_unique<torch::optim::Adam>(
        model_->parameters(),
        torch::optim::AdamOptions(c_.lr).betas({c_.beta1, c_.beta2}).eps(c_.eps).weight_decay(c_.weight_decay));
  }
  const auto steps_per_epoch = static_cast<int64_t>(global_batches(0).size());
  ScheduleSettings s;
  s.kind = c_.schedule;
  s.lr = c_.lr;
  s.warmup_steps = std::llround(c_.warmup_epochs * static_cast<double>(steps_per_epoch));
  // From epochs alone (not max_steps / max_minutes): a run stopped early and resumed must see the
  // same rates as one that never stopped.
  total_steps_ = steps_per_epoch * c_.epochs;
  s.total_steps = total_steps_;
  s.min_lr_factor = c_.min_lr_factor;
  s.plateau_factor = c_.plateau_factor;
  s.plateau_patience = c_.plateau_patience;
  schedule_ = std::make_unique<LrSchedule>(s);
  if (options_.resume) {
    state_ = read_checkpoint(dir_ / "checkpoints" / "last", *model_, *ema_, *optimiser_);
    schedule_->load_state(state_.schedule);
  }
  state_.extra = {{"normalisation", to_json(norm_)}, {"kind", recipe_.kind}, {"architecture", recipe_.architecture}};
  check_ranks_agree(*comm_, {{"config", fingerprint_text(dump_config(loaded_.resolved))},
                             {"training data", fingerprint_split(data_.train)},
                             {"validation data", fingerprint_split(data_.val)},
                             {"model (initial or resumed weights)", fingerprint_parameters(*model_)},
                             {"training step", static_cast<uint32_t>(state_.step)}});
  if (!comm_->is_root()) return;
  write_text(dir_ / "normalisation.json", to_json(norm_).dump(2) + "\n");
  if (!data_.held_out_test.empty() && !options_.resume) data::write_extxyz(dir_ / "test.xyz", data_.held_out_test);
  files_ = std::make_unique<RunFiles>(dir_, targets_, !options_.resume, state_.step, extra_columns());
  files_->echo = options_.echo_log;
  int64_t parameters = 0;
  for (const auto& p : model_->parameters()) parameters += p.numel();
  if (comm_->size() > 1) {
    files_->log(fmt::format("data-parallel: {} ranks ({}) x {} threads per rank; global batch {} {} ({} per rank)",
                            comm_->size(), comm_->launch().launcher, at::get_num_threads(),
                            c_.batch_atoms > 0 ? c_.batch_atoms * comm_->size() : c_.batch_size * comm_->size(),
                            c_.batch_atoms > 0 ? "atoms" : "structures",
                            c_.batch_atoms > 0 ? c_.batch_atoms : c_.batch_size));
  }
  files_->log(fmt::format("{} run {}: {} model, {} parameters, {}; {} training / {} validation structures",
                          options_.resume ? "resuming" : "starting", dir_.string(), recipe_.kind, parameters,
                          c_.dtype, data_.train.samples.size(), data_.val.samples.size()));
  files_->log(fmt::format("normalisation: {}", to_json(norm_).dump()));
  if (options_.resume) {
    files_->log(fmt::format("resumed at epoch {} batch {} (step {})", state_.epoch, state_.batch_in_epoch, state_.step));
  }
}

void Trainer::train_step(const Batch& global_batch, Totals& totals) {
  // Rank 0 draws what a single process would (dropout); the others their own streams.
  at::manual_seed(step_seed(c_.seed, state_.step) + static_cast<uint64_t>(comm_->rank()) * 0x632BE59BD9B4E019ULL);
  model_->train();
  lr_ = schedule_->lr_at(state_.step);
  for (auto& group : optimiser_->param_groups()) group.options().set_lr(lr_);
  optimiser_->zero_grad();
  const Batch batch = shard_of(global_batch, comm_->rank(), comm_->size());
  double local_loss = 0.0;
  std::optional<BatchResult> result;
  if (!batch.empty()) {  // a rank may get nothing of a step's last, short batch
    BatchData data = make_batch(data_.train, batch, c_, norm_, dtype_);
    data.step_counts = label_counts(data_.train, global_batch, c_);
    auxiliary_weight_ = auxiliary_weight(c_.relaxed_positions.weight, c_.relaxed_positions.final_weight, state_.step,
                                         total_steps_);
    data.relaxed_positions_weight = auxiliary_weight_;
    const OneThreadScope one_thread(model_->prefers_one_thread(data.graph));  // the backward too
    {
      const CudaSyncCheck no_copies_to_the_cpu;  // forward and backward stay on the device
      result = batch_loss(*model_, data, c_, norm_, true);
      result->loss.backward();
    }
    local_loss = result->loss.item<double>();  // the one scalar a step reads back (logging, NaN check)
  }
  if (options_.on_gradients) options_.on_gradients(state_.step, *model_);
  const double loss = all_reduce_gradients(*model_, *comm_, local_loss);
  // Both are sums over the ranks, so a NaN or Inf on any rank is one on every rank: all ranks
  // skip (or stop) together, without another collective.
  const double norm = gradient_norm(*model_);
  if (!std::isfinite(loss) || !std::isfinite(norm)) {
    skip_step(global_batch, loss, norm);
    if (options_.on_step) options_.on_step(loss);  // the progress bar counts batches
    return;
  }
  state_.skipped_in_a_row = 0;
  if (result) totals.add(*result);
  if (c_.clip_grad_norm > 0) clip_gradient_norm(*model_, c_.clip_grad_norm);
  {
    const CudaSyncCheck no_copies_to_the_cpu;
    optimiser_->step();
  }
  if (c_.ema_decay > 0) {
    ema_update(*ema_, *model_, ema_decay_at(c_.ema_decay, state_.step));
  } else {
    copy_weights(*model_, *ema_);
  }
  ++state_.step;
  if (options_.on_step) options_.on_step(loss);
}

std::string Trainer::structures_of(const Batch& batch) const {
  constexpr std::size_t kNamed = 8;  // a batch of 1,000 structures must not make a 1,000-line message
  std::string names;
  for (std::size_t k = 0; k < batch.size() && k < kNamed; ++k) {
    names += (k > 0 ? ", " : "") + data_.train.samples[static_cast<std::size_t>(batch[k])].where;
  }
  if (batch.size() > kNamed) names += fmt::format(" and {} more", batch.size() - kNamed);
  return names;
}

// No optimiser step, no EMA update, no training totals: the weights stay those of the last good
// step (and of any checkpoint). Every rank gets here together (see train_step).
void Trainer::skip_step(const Batch& batch, double loss, double norm) {
  ++state_.skipped_in_a_row;
  const std::string what = fmt::format("non-finite {} (loss {}, gradient norm {}) in the batch of {}",
                                       std::isfinite(loss) ? "gradient" : "loss", loss, norm, structures_of(batch));
  if (state_.skipped_in_a_row >= c_.max_skipped_steps) {
    fail("training stopped at step {} (epoch {}): {} steps in a row had a non-finite loss or gradient "
         "(training.max_skipped_steps); the last: {}. The last checkpoint holds the weights before them; "
         "try a lower optimiser.lr, optimiser.clip_grad_norm, or check these structures",
         state_.step, state_.epoch, state_.skipped_in_a_row, what);
  }
  log(fmt::format("warning: step {} skipped: {}", state_.step, what));
}

Totals Trainer::validate() {
  Totals totals;
  const auto n = static_cast<int64_t>(data_.val.samples.size());
  std::vector<int64_t> order(static_cast<std::size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::vector<int64_t> atoms;
  for (const auto& s : data_.val.samples) atoms.push_back(s.structure.num_atoms());
  const auto batches = make_batches(order, atoms, c_.batch_size, c_.batch_atoms);
  for (std::size_t k = static_cast<std::size_t>(comm_->rank()); k < batches.size();
       k += static_cast<std::size_t>(comm_->size())) {
    const BatchData data = make_batch(data_.val, batches[k], c_, norm_, dtype_);
    totals.add(batch_loss(*ema_, data, c_, norm_, false));
  }
  totals.all_reduce(*comm_, targets_);
  return totals;
}

void Trainer::export_best() {
  const nlohmann::json full = normalisation_json(norm_, true);
  auto exported = build_model(recipe_, full, dtype_);
  copy_weights(*ema_, *exported);
  models::SaveOptions options;
  for (const int64_t z : data_.train.species()) options.species.push_back(z);
  models::save_model(*exported, dir_ / "model", options);
}

// Returns true when early stopping says to stop.
bool Trainer::after_validation(Totals train, const Totals& val) {
  train.all_reduce(*comm_, targets_);
  MetricsRow row;
  // A run stopped inside an epoch (max_steps, max_minutes) validates that partial epoch: it is
  // labelled with its own number, so that it does not repeat the last complete one.
  const int64_t epoch = state_.epoch + (state_.batch_in_epoch > 0 ? 1 : 0);
  row.epoch = epoch;
  row.step = state_.step;
  row.time_s = elapsed_s();
  row.lr = lr_;
  row.train_loss = train.weighted_loss(c_);
  row.val_loss = val.weighted_loss(c_);
  for (const auto& t : targets_) {
    const auto found = train.errors.find(t);
    row.train_mae.push_back(found == train.errors.end() ? NAN : found->second.mae());
    row.val_mae.push_back(val.errors.at(t).mae());
    row.val_rmse.push_back(val.errors.at(t).rmse());
  }
  if (!extra_columns().empty()) row.extra.push_back(val.errors.at(c_.energy.key).fraction_within());
  const bool improved = !state_.have_best || row.val_loss < state_.best_metric;
  if (improved) {
    state_.best_metric = row.val_loss;
    state_.have_best = true;
    state_.best_epoch = epoch;
    state_.validations_without_improvement = 0;
  } else {
    ++state_.validations_without_improvement;
  }
  schedule_->on_validation(row.val_loss);
  state_.schedule = schedule_->state();
  // Best first: a kill between the two leaves a "last" that is older than "best", never a best
  // that a resumed run would not know about.
  const bool early_stop =
      c_.early_stopping_patience > 0 && state_.validations_without_improvement >= c_.early_stopping_patience;
  if (!comm_->is_root()) return early_stop;  // every rank decided the same from the same totals
  // A finite step can still overflow a weight (a huge learning rate); such weights must not
  // replace the last good checkpoint.
  if (!weights_finite(*model_) || !weights_finite(*ema_)) {
    fail("training stopped at step {}: the weights are no longer finite (overflow after an optimiser step); "
         "the checkpoints were not overwritten; try a lower optimiser.lr or optimiser.clip_grad_norm",
         state_.step);
  }
  if (improved) {
    write_checkpoint(dir_ / "checkpoints" / "best", *model_, *ema_, *optimiser_, state_);
    export_best();
  }
  write_checkpoint(dir_ / "checkpoints" / "last", *model_, *ema_, *optimiser_, state_);
  files_->append(row);
  std::string line = fmt::format("epoch {} step {} {:.1f}s lr {:.3g} train_loss {:.5g} val_loss {:.5g}", row.epoch,
                                 row.step, row.time_s, row.lr, row.train_loss, row.val_loss);
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    line += fmt::format(" val_{}_mae {:.5g}", targets_[i], row.val_mae[i]);
  }
  if (!row.extra.empty()) line += fmt::format(" val_{}_ewt {:.4g}", c_.energy.key, row.extra[0]);
  if (c_.relaxed_positions.trained()) line += fmt::format(" aux_weight {:.4g}", auxiliary_weight_);
  files_->log(line + (improved ? " (best)" : ""));
  return early_stop;
}

TrainSummary Trainer::run() {
  load_config();
  prepare_run_dir();
  build();
  std::string reason = "epochs done";
  bool stop = state_.epoch >= c_.epochs;
  while (!stop) {
    const auto batches = global_batches(state_.epoch);
    if (options_.on_epoch_start) {
      options_.on_epoch_start(state_.epoch, static_cast<int64_t>(batches.size()), state_.batch_in_epoch);
    }
    Totals totals;
    while (state_.batch_in_epoch < static_cast<int64_t>(batches.size()) && !stop) {
      train_step(batches[static_cast<std::size_t>(state_.batch_in_epoch)], totals);
      ++state_.batch_in_epoch;
      if (c_.max_steps > 0 && state_.step >= c_.max_steps) {
        stop = true;
        reason = fmt::format("training.max_steps = {} reached", c_.max_steps);
      } else if (c_.max_minutes > 0 && elapsed_s() >= 60.0 * c_.max_minutes) {
        stop = true;
        reason = fmt::format("training.max_minutes = {} reached", c_.max_minutes);
      }
    }
    if (options_.on_epoch_end) options_.on_epoch_end();
    if (state_.batch_in_epoch >= static_cast<int64_t>(batches.size())) {
      ++state_.epoch;
      state_.batch_in_epoch = 0;
    }
    if (state_.epoch >= c_.epochs) stop = true;
    const bool due = state_.batch_in_epoch == 0 && state_.epoch % c_.val_every == 0;
    if (due || stop) {
      if (after_validation(totals, validate()) && !stop) {
        stop = true;
        reason = fmt::format("early stopping: no improvement in {} validations", c_.early_stopping_patience);
      }
    }
  }
  if (comm_->is_root() && !fs::exists(dir_ / "model")) export_best();
  log(fmt::format("stopped: {}; best val_loss {:.6g} at epoch {}; model in {}", reason, state_.best_metric,
                          state_.best_epoch, (dir_ / "model").string()));
  TrainSummary summary;
  summary.epochs_done = state_.epoch;
  summary.steps = state_.step;
  summary.best_val_loss = state_.best_metric;
  summary.best_epoch = state_.best_epoch;
  summary.stop_reason = reason;
  summary.model_dir = dir_ / "model";
  return summary;
}

}  // namespace

TrainSummary run_training(const TrainOptions& options) {
  Trainer trainer(options);
  return trainer.run();
}

}  // namespace eqt::train
