#pragma once
// The work of `eqt predict` on one batch: collate the structures into a graph at the model's
// cutoff, evaluate energy / forces / stress, and store the results in each Structure under the
// prediction key names, ready for the extxyz writer.
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>
#include <vector>

#include "eqt/data/structure.h"
#include "eqt/models/model.h"

namespace eqt::cli {

enum class StressMode { Auto, Always, Never };  // auto: periodic structures with a volume only

StressMode parse_stress_mode(const std::string& text);

struct PredictionSettings {
  c10::ScalarType dtype = at::kDouble;
  bool forces = true;
  StressMode stress = StressMode::Auto;
  // Keys are prefix + "energy", "forces", "stress", and prefix + any other model output name.
  std::string prefix;
  std::vector<int64_t> species;  // the model's species; empty: not checked
};

// Whether the structure gets a predicted stress; fails (naming `where`) for --stress always on a
// structure without a periodic cell of non-zero volume.
bool wants_stress(const data::Structure& s, StressMode mode, const std::string& where);

// Fails naming `where` and the element when the structure has a species the model was not
// trained on (settings.species non-empty).
void check_species(const data::Structure& s, const std::vector<int64_t>& species, const std::string& where);

// `where[k]` names structures[k] in error messages ("in.xyz: frame 12").
void predict_batch(models::Model& model, std::vector<data::Structure>& structures,
                   const std::vector<std::string>& where, const PredictionSettings& settings);

}  // namespace eqt::cli
