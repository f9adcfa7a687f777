#include "eqt/inference/predict_batch.h"

#include <fmt/format.h>

#include <algorithm>

#include "eqt/core/error.h"
#include "eqt/data/batch.h"
#include "eqt/data/elements.h"
#include "eqt/data/graph_rule.h"
#include "eqt/data/labels.h"
#include "eqt/models/output_names.h"
#include "eqt/models/potential.h"

namespace eqt::inference {

namespace {

void set_info(data::Structure& s, const std::string& key, const at::Tensor& value) {
  s.arrays.erase(key);
  s.string_arrays.erase(key);
  s.info[key] = value.detach().to(at::kCPU, at::kDouble).contiguous().clone();
  if (std::find(s.info_order.begin(), s.info_order.end(), key) == s.info_order.end()) s.info_order.push_back(key);
}

void set_array(data::Structure& s, const std::string& key, const at::Tensor& value) {
  s.info.erase(key);
  s.string_arrays.erase(key);
  s.arrays[key] = value.detach().to(at::kCPU, at::kDouble).contiguous().clone();
  if (std::find(s.array_order.begin(), s.array_order.end(), key) == s.array_order.end()) s.array_order.push_back(key);
}

at::Tensor cpu_double(const at::Tensor& value) { return value.detach().to(at::kCPU, at::kDouble).contiguous().clone(); }

// Model outputs besides the energy, per structure ([B, ...]) or per atom (atomic_*, charges: [N, ...]).
void split_other_outputs(const models::Outputs& outputs, std::vector<StructurePrediction>& predictions,
                         const at::Tensor& ptr) {
  const auto batch = static_cast<int64_t>(predictions.size());
  for (const auto& [name, value] : outputs) {
    if (name == "energy" || !value.defined() || value.dim() == 0) continue;
    for (int64_t k = 0; k < batch; ++k) {
      if (models::is_per_atom_output(name)) {
        const int64_t begin = ptr[k].item<int64_t>(), end = ptr[k + 1].item<int64_t>();
        predictions[k].per_atom[name] = cpu_double(value.slice(0, begin, end));
      } else if (value.size(0) == batch) {
        predictions[k].per_structure[name] = cpu_double(value[k]);
      }
    }
  }
}

std::vector<StructurePrediction> predict(models::Model& model, const std::vector<const data::Structure*>& structures,
                                         const std::vector<std::string>& where, const PredictionSettings& settings) {
  if (structures.empty()) return {};
  std::vector<bool> stress_wanted;
  for (std::size_t k = 0; k < structures.size(); ++k) {
    check_species(*structures[k], settings.species, where[k]);
    stress_wanted.push_back(wants_stress(*structures[k], settings.stress, where[k]));
  }
  const data::Graph graph = data::collate(structures, model.graph_rule(), settings.dtype);
  models::EvaluateOptions options;
  options.forces = settings.forces;
  options.stress = std::find(stress_wanted.begin(), stress_wanted.end(), true) != stress_wanted.end();
  const models::Evaluation result = models::evaluate(model, graph, options);

  std::vector<StructurePrediction> predictions(structures.size());
  for (std::size_t k = 0; k < structures.size(); ++k) {
    const auto index = static_cast<int64_t>(k);
    predictions[k].energy = result.energy[index].item<double>();
    if (settings.forces) {
      predictions[k].forces =
          cpu_double(result.forces.slice(0, graph.ptr[index].item<int64_t>(), graph.ptr[index + 1].item<int64_t>()));
    }
    if (stress_wanted[k]) predictions[k].stress = cpu_double(result.stress[index]);
  }
  split_other_outputs(result.outputs, predictions, graph.ptr);
  return predictions;
}

}  // namespace

StressMode parse_stress_mode(const std::string& text) {
  if (text == "auto") return StressMode::Auto;
  if (text == "always") return StressMode::Always;
  if (text == "never") return StressMode::Never;
  fail("--stress must be auto, always or never, not '{}'", text);
}

bool wants_stress(const data::Structure& s, StressMode mode, const std::string& where) {
  if (mode == StressMode::Never) return false;
  const bool has_volume = s.periodic() && data::cell_volume(s) > 0;
  if (mode == StressMode::Always && !has_volume) {
    fail("{}: --stress always, but the structure has no periodic cell (stress needs a cell volume)", where);
  }
  return has_volume;
}

std::string unknown_species(int64_t number, const std::vector<int64_t>& species) {
  if (species.empty() || std::find(species.begin(), species.end(), number) != species.end()) return "";
  std::string known;
  for (const int64_t k : species) known += (known.empty() ? "" : " ") + data::chemical_symbol(k);
  return fmt::format("{}, which the model was not trained on (its species: {})", data::chemical_symbol(number), known);
}

void check_species(const data::Structure& s, const std::vector<int64_t>& species, const std::string& where) {
  if (species.empty()) return;
  const auto numbers = s.numbers.contiguous();
  const int64_t* z = numbers.data_ptr<int64_t>();
  for (int64_t i = 0; i < s.num_atoms(); ++i) {
    const std::string unknown = unknown_species(z[i], species);
    if (!unknown.empty()) fail("{}: atom {} is {}", where, i, unknown);
  }
}

std::vector<StructurePrediction> predict_structures(models::Model& model, const std::vector<data::Structure>& structures,
                                                    const std::vector<std::string>& where,
                                                    const PredictionSettings& settings) {
  std::vector<const data::Structure*> pointers;
  for (const auto& s : structures) pointers.push_back(&s);
  return predict(model, pointers, where, settings);
}

StructurePrediction predict_structure(models::Model& model, const data::Structure& structure, const std::string& where,
                                      const PredictionSettings& settings) {
  return predict(model, {&structure}, {where}, settings).front();
}

void store_prediction(data::Structure& s, const StructurePrediction& prediction, const std::string& prefix) {
  set_info(s, prefix + "energy", at::scalar_tensor(prediction.energy, at::kDouble));
  if (prediction.forces.defined()) set_array(s, prefix + "forces", prediction.forces);
  if (prediction.stress.defined()) set_info(s, prefix + "stress", prediction.stress);
  for (const auto& [name, value] : prediction.per_structure) set_info(s, prefix + name, value);
  for (const auto& [name, value] : prediction.per_atom) set_array(s, prefix + name, value);
}

void predict_batch(models::Model& model, std::vector<data::Structure>& structures, const std::vector<std::string>& where,
                   const PredictionSettings& settings) {
  const auto predictions = predict_structures(model, structures, where, settings);
  for (std::size_t k = 0; k < structures.size(); ++k) store_prediction(structures[k], predictions[k], settings.prefix);
}

}  // namespace eqt::inference
