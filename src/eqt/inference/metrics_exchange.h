#pragma once
// `eqt eval` on several ranks (sharded_batches.h): a batch's evaluation metrics (every compared
// value pair, the structure and atom counts, the model outputs without labels) as text, and
// added back in file order on rank 0, so that the metrics and plots of the whole file equal
// those of one process. JSON keeps doubles exactly (17 significant digits).
#include <set>
#include <string>

#include "eqt/train/evaluation_metrics.h"

namespace eqt::inference {

std::string metrics_to_text(const train::EvaluationMetrics& metrics, const std::set<std::string>& unlabelled);
void add_metrics_text(const std::string& text, train::EvaluationMetrics& metrics, std::set<std::string>& unlabelled);

}  // namespace eqt::inference
