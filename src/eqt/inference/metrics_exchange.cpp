#include "eqt/inference/metrics_exchange.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace eqt::inference {

std::string metrics_to_text(const train::EvaluationMetrics& metrics, const std::set<std::string>& unlabelled) {
  nlohmann::json j;
  j["structures"] = metrics.structures();
  j["atoms"] = metrics.atoms();
  j["unlabelled"] = unlabelled;
  j["targets"] = nlohmann::json::array();
  for (const auto& t : metrics.targets()) {
    j["targets"].push_back({{"name", t.name}, {"unit", t.unit}, {"per", t.per}, {"reference", t.reference},
                            {"predicted", t.predicted}});
  }
  return j.dump();
}

void add_metrics_text(const std::string& text, train::EvaluationMetrics& metrics, std::set<std::string>& unlabelled) {
  if (text.empty()) return;
  const auto j = nlohmann::json::parse(text);
  for (const auto& t : j.at("targets")) {
    const auto reference = t.at("reference").get<std::vector<double>>();
    const auto predicted = t.at("predicted").get<std::vector<double>>();
    metrics.add(t.at("name").get<std::string>(), t.at("unit").get<std::string>(), t.at("per").get<std::string>(),
                at::tensor(predicted, at::kDouble), at::tensor(reference, at::kDouble));
  }
  metrics.count_structures(j.at("structures").get<int64_t>(), j.at("atoms").get<int64_t>());
  for (const auto& name : j.at("unlabelled")) unlabelled.insert(name.get<std::string>());
}

}  // namespace eqt::inference
