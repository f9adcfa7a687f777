#pragma once
// What `eqt eval` compares: a structure's labels (found under configurable key names) against the
// model's prediction for it, added to train::EvaluationMetrics. Energies per structure and per
// atom, force components, stress components, and every other model output whose label is in the
// data (per-structure scalars and vectors from the frame's info, per-atom outputs from its arrays).
#include <map>
#include <set>
#include <string>

#include "eqt/data/labels.h"
#include "eqt/data/structure.h"
#include "eqt/inference/predict_batch.h"
#include "eqt/train/evaluation_metrics.h"

namespace eqt::inference {

struct EvaluationKeys {
  data::LabelKeys labels;                      // energy / forces / stress / virial key names
  std::map<std::string, std::string> targets;  // model output name -> label key; default: same name
};

// Parses "OUTPUT=KEY" (--target); fails naming the text otherwise.
std::pair<std::string, std::string> parse_target_mapping(const std::string& text);

// Adds the structure's errors; `unlabelled` collects model outputs that had no label to compare
// with. Fails (naming `where` and the key) when a label's size differs from the prediction's.
void compare_with_labels(const data::Structure& structure, const StructurePrediction& prediction,
                         const EvaluationKeys& keys, const std::string& where, train::EvaluationMetrics& metrics,
                         std::set<std::string>& unlabelled);

}  // namespace eqt::inference
