#include "eqt/train/batch_loss.h"

#include <algorithm>
#include <cmath>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/models/dipole.h"
#include "eqt/models/output_names.h"
#include "eqt/models/potential.h"
#include "eqt/train/losses.h"

namespace eqt::train {

namespace {

at::Tensor stacked(const Split& split, const std::vector<int64_t>& indices, at::Tensor Labels::*member,
                   c10::ScalarType dtype, bool concatenate) {
  std::vector<at::Tensor> parts;
  for (const int64_t i : indices) parts.push_back(split.samples[static_cast<std::size_t>(i)].labels.*member);
  return (concatenate ? at::cat(parts) : at::stack(parts)).to(dtype);
}

void add_errors(ErrorSums& sums, const at::Tensor& error) {
  const at::Tensor e = error.detach().to(at::kDouble);
  sums.abs += e.abs().sum().item<double>();
  sums.sq += (e * e).sum().item<double>();
  sums.count += e.numel();
}

// The model's own dipole (models/dipole.h); a model without a dipole head cannot be trained on one.
const at::Tensor& predicted_dipole(const models::Outputs& outputs, const std::string& kind) {
  const auto found = outputs.find(models::kDipoleOutput);
  if (found == outputs.end()) {
    fail("targets.dipole: the {} model has no dipole head (a run that trains dipoles builds one; resuming a run "
         "started without targets.dipole cannot add it, start a new run)", kind);
  }
  return found->second;
}

// The IS2RS head's raw output (displacement / positions_std); only OC20 models with the auxiliary
// task have it.
const at::Tensor& predicted_displacement(const models::Outputs& outputs, const std::string& kind) {
  const auto found = outputs.find(models::kAuxPositionsOutput);
  if (found == outputs.end()) {
    fail("targets.relaxed_positions: the {} model has no IS2RS auxiliary head (model.kind equiformer_oc20 builds one "
         "when targets.relaxed_positions.weight > 0; resuming a run started without it cannot add it)", kind);
  }
  return found->second;
}

}  // namespace

double ErrorSums::rmse() const { return count ? std::sqrt(sq / static_cast<double>(count)) : 0.0; }

std::vector<std::string> target_names(const TrainConfig& c) {
  std::vector<std::string> names;
  if (c.energy.trained()) names.push_back(c.energy.key);
  if (c.forces.trained()) names.push_back("forces");
  if (c.stress.trained()) names.push_back("stress");
  if (c.dipole.trained()) names.push_back("dipole");
  if (c.relaxed_positions.trained()) names.push_back("relaxed_positions");
  return names;
}

double reported_weight(const TrainConfig& c, const std::string& name) {
  if (name == "forces") return c.forces.weight;
  if (name == "stress") return c.stress.weight;
  if (name == "dipole") return c.dipole.weight;
  if (name == "relaxed_positions") return std::min(c.relaxed_positions.weight, c.relaxed_positions.final_weight);
  return c.energy.weight;
}

std::map<std::string, int64_t> label_counts(const Split& split, const std::vector<int64_t>& indices,
                                            const TrainConfig& c) {
  std::map<std::string, int64_t> counts;
  for (const int64_t i : indices) {
    const Labels& l = split.samples[static_cast<std::size_t>(i)].labels;
    if (c.energy.trained()) counts[c.energy.key] += 1;
    if (c.forces.trained()) counts["forces"] += l.forces.numel();
    if (c.stress.trained()) counts["stress"] += l.stress.numel();
    if (c.dipole.trained()) counts["dipole"] += l.dipole.numel();
    if (c.relaxed_positions.trained()) counts["relaxed_positions"] += l.free_atoms.sum().item<int64_t>();
  }
  return counts;
}

BatchData make_batch(const Split& split, const std::vector<int64_t>& indices, const TrainConfig& config,
                     const Normalisation& normalisation, c10::ScalarType dtype) {
  std::vector<const data::Structure*> structures;
  std::vector<data::NeighbourList> lists;
  for (const int64_t i : indices) {
    structures.push_back(&split.samples[static_cast<std::size_t>(i)].structure);
    lists.push_back(split.samples[static_cast<std::size_t>(i)].neighbours);
  }
  BatchData b;
  b.graph = data::collate(structures, lists, dtype);
  const int64_t n = b.graph.num_structures();
  b.baseline = normalisation.baseline(b.graph.species, b.graph.batch, n);
  b.num_atoms = (b.graph.ptr.slice(0, 1) - b.graph.ptr.slice(0, 0, n)).to(dtype);
  if (config.energy.trained()) {
    b.energy_residual = (stacked(split, indices, &Labels::energy, at::kDouble, false) - b.baseline).to(dtype);
  }
  if (config.forces.trained()) b.forces = stacked(split, indices, &Labels::forces, dtype, true);
  if (config.stress.trained()) b.stress = stacked(split, indices, &Labels::stress, dtype, false);
  if (config.dipole.trained()) b.dipole = stacked(split, indices, &Labels::dipole, dtype, false);
  if (config.relaxed_positions.trained()) {
    b.displacement = stacked(split, indices, &Labels::displacement, dtype, true);
    b.free_atoms = stacked(split, indices, &Labels::free_atoms, at::kBool, true);
    b.relaxed_positions_weight = config.relaxed_positions.weight;
  }
  return b;
}

BatchResult batch_loss(models::Model& model, const BatchData& batch, const TrainConfig& config,
                       const Normalisation& normalisation, bool training) {
  models::EvaluateOptions options;
  options.forces = config.forces.trained();
  options.stress = config.stress.trained();
  options.create_graph = training;
  const models::Evaluation ev = models::evaluate(model, batch.graph, options);
  const c10::Device device = ev.energy.device();  // labels are made on the CPU; the model may be on a GPU
  const auto on_device = [&](const at::Tensor& t) { return t.defined() ? t.to(device) : t; };
  BatchResult r;
  r.loss = at::zeros({}, ev.energy.options());
  // `error` goes into the loss; `reported` (default: the same) into the metrics; the loss is a
  // mean over `elements` (default: the error's elements).
  const auto add = [&](const std::string& name, const TargetConfig& target, const at::Tensor& error, double scale,
                       const at::Tensor& reported = at::Tensor(), double weight = -1.0, int64_t elements = -1) {
    const at::Tensor sum = loss_sum(target.loss, error / scale, config.huber_delta);
    const int64_t own = elements >= 0 ? elements : error.numel();
    const auto step_count = batch.step_counts.find(name);
    const int64_t denominator = step_count == batch.step_counts.end() ? own : step_count->second;
    r.loss = r.loss + (weight >= 0 ? weight : target.weight) * sum / static_cast<double>(std::max<int64_t>(1, denominator));
    r.losses[name] = sum.item<double>() / static_cast<double>(std::max<int64_t>(1, own));
    r.counts[name] = own;
    add_errors(r.errors[name], reported.defined() ? reported : error);
  };
  if (config.energy.trained()) {
    const at::Tensor error = ev.energy - on_device(batch.energy_residual);  // eV per structure, always reported so
    const at::Tensor loss_error = config.energy.per_atom ? error / on_device(batch.num_atoms) : error;
    add(config.energy.key, config.energy, loss_error, normalisation.scale, error);
    if (config.energy.ewt_threshold > 0) {
      r.errors[config.energy.key].within += error.detach().abs().lt(config.energy.ewt_threshold).sum().item<int64_t>();
    }
  }
  if (config.forces.trained()) add("forces", config.forces, ev.forces - on_device(batch.forces), normalisation.scale);
  if (config.stress.trained()) {
    add("stress", config.stress, ev.stress - on_device(batch.stress), normalisation.stress_scale);
  }
  if (config.dipole.trained()) {
    add("dipole", config.dipole, predicted_dipole(ev.outputs, model.kind()) - on_device(batch.dipole),
        normalisation.dipole_scale);
  }
  if (config.relaxed_positions.trained()) {
    // In A: the head's output times positions_std against relaxed - initial, on the free atoms only
    // (OC20 neither trains nor scores the fixed sub-surface atoms).
    const at::Tensor free = at::nonzero(on_device(batch.free_atoms)).squeeze(1);
    const at::Tensor predicted = predicted_displacement(ev.outputs, model.kind()) * normalisation.positions_std;
    const at::Tensor error = (predicted - on_device(batch.displacement)).index_select(0, free);
    add("relaxed_positions", config.relaxed_positions, error, normalisation.positions_std, at::Tensor(),
        batch.relaxed_positions_weight, error.size(0));
  }
  return r;
}

}  // namespace eqt::train
