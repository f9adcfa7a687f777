#include "eqt/inference/inference_model.h"

#include <fmt/format.h>

#include "eqt/core/error.h"
#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/potential.h"

namespace eqt::inference {

namespace {

namespace fs = std::filesystem;

std::shared_ptr<models::Model> prepare_model(const std::shared_ptr<models::Model>& model) {
  models::prepare_for_inference(*model);
  return model;
}

// ECSE makes any model exactly rotation invariant by averaging over local coordinate frames; the
// optional fallback takes over where an environment has no non-collinear neighbour pair.
std::shared_ptr<models::Model> wrap_in_ecse(std::shared_ptr<models::Model> model, const InferenceModelOptions& options) {
  if (options.ecse_pruning != "single" && options.ecse_pruning != "official") {
    fail("ECSE pruning must be 'single' or 'official', not '{}'", options.ecse_pruning);
  }
  std::shared_ptr<models::Model> fallback;
  if (!options.ecse_fallback.empty()) {
    const ModelLocation location = locate_model(options.ecse_fallback);
    fallback = prepare_model(models::read_model_directory(location.model_dir, options.dtype).model);
  }
  models::ecse::EcseOptions ecse;
  ecse.hypers.pruning_mode = options.ecse_pruning;
  return prepare_model(std::make_shared<models::ecse::EcseModel>(model, fallback, ecse));
}

}  // namespace

ModelLocation locate_model(const fs::path& given) {
  const bool model_dir = fs::exists(given / "model.json") || fs::exists(given / "config.json");
  if (!model_dir && fs::is_directory(given / "model")) return {given / "model", given};
  return {given, std::nullopt};
}

InferenceModel load_inference_model(const fs::path& given, const InferenceModelOptions& options) {
  InferenceModel result;
  result.location = locate_model(given);
  const models::LoadedModel loaded = models::read_model_directory(result.location.model_dir, options.dtype);
  result.species = loaded.species;
  result.source = loaded.source;
  result.model = prepare_model(loaded.model);
  if (options.ecse) result.model = wrap_in_ecse(result.model, options);
  if (!options.device.is_cpu()) result.model->to(options.device);  // graphs follow (models::evaluate)
  return result;
}

InferenceModel in_memory_model(std::shared_ptr<models::Model> model, std::vector<int64_t> species,
                               const InferenceModelOptions& options) {
  InferenceModel result;
  result.species = std::move(species);
  result.source = "in memory";
  result.model = prepare_model(model);
  if (options.ecse) result.model = wrap_in_ecse(result.model, options);
  if (!options.device.is_cpu()) result.model->to(options.device);
  return result;
}

std::string describe_model(const InferenceModel& loaded) {
  return fmt::format("{} ({}, cutoff {} A) from {}", loaded.model->kind(), loaded.source, loaded.model->cutoff(),
                     loaded.location.model_dir.empty() ? std::string("memory") : loaded.location.model_dir.string());
}

}  // namespace eqt::inference
