#include "eqt/train/batch_loss.h"

#include <algorithm>
#include <cmath>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/models/dipole.h"
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

}  // namespace

double ErrorSums::rmse() const { return count ? std::sqrt(sq / static_cast<double>(count)) : 0.0; }

std::vector<std::string> target_names(const TrainConfig& c) {
  std::vector<std::string> names;
  if (c.energy.trained()) names.push_back(c.energy.key);
  if (c.forces.trained()) names.push_back("forces");
  if (c.stress.trained()) names.push_back("stress");
  if (c.dipole.trained()) names.push_back("dipole");
  return names;
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
  // `error` goes into the loss; `reported` (default: the same) into the metrics.
  const auto add = [&](const std::string& name, const TargetConfig& target, const at::Tensor& error, double scale,
                       const at::Tensor& reported = at::Tensor()) {
    const at::Tensor sum = loss_sum(target.loss, error / scale, config.huber_delta);
    const auto step_count = batch.step_counts.find(name);
    const int64_t denominator = step_count == batch.step_counts.end() ? error.numel() : step_count->second;
    r.loss = r.loss + target.weight * sum / static_cast<double>(std::max<int64_t>(1, denominator));
    r.losses[name] = sum.item<double>() / static_cast<double>(std::max<int64_t>(1, error.numel()));
    r.counts[name] = error.numel();
    add_errors(r.errors[name], reported.defined() ? reported : error);
  };
  if (config.energy.trained()) {
    const at::Tensor error = ev.energy - on_device(batch.energy_residual);  // eV per structure, always reported so
    const at::Tensor loss_error = config.energy.per_atom ? error / on_device(batch.num_atoms) : error;
    add(config.energy.key, config.energy, loss_error, normalisation.scale, error);
  }
  if (config.forces.trained()) add("forces", config.forces, ev.forces - on_device(batch.forces), normalisation.scale);
  if (config.stress.trained()) {
    add("stress", config.stress, ev.stress - on_device(batch.stress), normalisation.stress_scale);
  }
  if (config.dipole.trained()) {
    add("dipole", config.dipole, predicted_dipole(ev.outputs, model.kind()) - on_device(batch.dipole),
        normalisation.dipole_scale);
  }
  return r;
}

}  // namespace eqt::train
