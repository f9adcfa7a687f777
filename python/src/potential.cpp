#include "potential.h"

#include "eqt/cli/inference_model.h"
#include "eqt/cli/predict_batch.h"
#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/output_names.h"
#include "eqt/models/potential.h"

namespace eqt::python {
namespace {

at::Tensor as_result(const at::Tensor& value) { return value.detach().to(at::kDouble).contiguous().clone(); }

// Same convention as `eqt predict` (models::is_per_atom_output): atomic_* outputs and charges are
// per atom, the others per structure.
void store_other_outputs(const models::Outputs& outputs, PotentialResults& results) {
  for (const auto& [name, value] : outputs) {
    if (name == "energy" || !value.defined() || value.dim() == 0) continue;
    if (models::is_per_atom_output(name)) {
      results.per_atom[name] = as_result(value);
    } else if (value.size(0) == 1) {
      results.per_structure[name] = as_result(value[0]);
    }
  }
}

}  // namespace

Potential::Potential(const std::string& model_dir, const PotentialOptions& options)
    : model_dir_(model_dir), dtype_(options.dtype) {
  cli::InferenceModelOptions load_options;
  load_options.dtype = dtype_;
  load_options.ecse = options.ecse;
  load_options.ecse_fallback = options.ecse_fallback;
  cli::InferenceModel loaded = cli::load_inference_model(model_dir, load_options);
  source_ = loaded.source;
  species_ = loaded.species;
  model_ = loaded.model;
}

void Potential::save(const std::string& model_dir) const {
  models::SaveOptions options;
  options.species = species_;
  models::save_model(*model_, model_dir, options);
}

PotentialResults Potential::compute(const data::Structure& structure, bool forces, bool stress) {
  const std::lock_guard<std::mutex> lock(mutex_);
  const std::string where = "structure given to the model from " + model_dir_;
  cli::check_species(structure, species_, where);
  if (stress) cli::wants_stress(structure, cli::StressMode::Always, where);

  const data::Graph graph = data::collate({&structure}, model_->cutoff(), dtype_);
  models::EvaluateOptions options;
  options.forces = forces;
  options.stress = stress;
  const models::Evaluation evaluation = models::evaluate(*model_, graph, options);

  PotentialResults results;
  results.energy = evaluation.energy.detach().to(at::kDouble)[0].item<double>();
  if (forces) results.forces = as_result(evaluation.forces);
  if (stress) results.stress = as_result(evaluation.stress[0]);
  store_other_outputs(evaluation.outputs, results);
  return results;
}

}  // namespace eqt::python
