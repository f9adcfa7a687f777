#include "potential.h"

#include "eqt/core/device.h"
#include "eqt/inference/inference_model.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/models/model_dir.h"

namespace eqt::python {

Potential::Potential(const std::string& model_dir, const PotentialOptions& options)
    : model_dir_(model_dir), dtype_(options.dtype) {
  inference::InferenceModelOptions load_options;
  load_options.dtype = dtype_;
  load_options.ecse = options.ecse;
  load_options.ecse_fallback = options.ecse_fallback;
  load_options.ecse_pruning = options.ecse_pruning;
  load_options.device = parse_device(options.device);
  inference::InferenceModel loaded = inference::load_inference_model(model_dir, load_options);
  source_ = loaded.source;
  species_ = loaded.species;
  model_ = loaded.model;
}

void Potential::save(const std::string& model_dir) const {
  models::SaveOptions options;
  options.species = species_;
  models::save_model(*model_, model_dir, options);
}

// The same prediction as `eqt predict` on a one-structure batch (inference::predict_structure):
// species check, stress only where asked for (and then a periodic cell is required), atomic_*
// outputs and charges per atom, the others per structure.
PotentialResults Potential::compute(const data::Structure& structure, bool forces, bool stress) {
  const std::lock_guard<std::mutex> lock(mutex_);
  inference::PredictionSettings settings;
  settings.dtype = dtype_;
  settings.forces = forces;
  settings.stress = stress ? inference::StressMode::Always : inference::StressMode::Never;
  settings.species = species_;
  inference::StructurePrediction prediction = inference::predict_structure(
      *model_, structure, "structure given to the model from " + model_dir_, settings);
  PotentialResults results;
  results.energy = prediction.energy;
  results.forces = std::move(prediction.forces);
  results.stress = std::move(prediction.stress);
  results.per_structure = std::move(prediction.per_structure);
  results.per_atom = std::move(prediction.per_atom);
  return results;
}

}  // namespace eqt::python
