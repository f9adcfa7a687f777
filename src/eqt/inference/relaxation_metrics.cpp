#include "eqt/inference/relaxation_metrics.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/models/output_names.h"

namespace eqt::inference {

namespace {

constexpr const char* kDistanceTarget = "relaxed_distance";
constexpr const char* kMeanDistanceTarget = "relaxed_mean_distance";
const double kAtomThresholds[] = {0.02, 0.05, 0.1, 0.2, 0.5};  // A

// Differences [N, 3] moved to the nearest image along the periodic directions.
at::Tensor relaxation_nearest_image(const data::Structure& s, const at::Tensor& difference) {
  if (!s.periodic()) return difference;
  const at::Tensor cell = s.cell.to(at::kDouble).reshape({3, 3});
  at::Tensor fractional = at::matmul(difference, at::inverse(cell));
  for (int k = 0; k < 3; ++k) {
    if (s.pbc[k]) fractional.select(1, k).sub_(fractional.select(1, k).round());
  }
  return at::matmul(fractional, cell);
}

double relaxation_fraction_below(const std::vector<double>& values, double threshold) {
  int64_t below = 0;
  for (const double v : values) below += v < threshold;
  return values.empty() ? 0.0 : static_cast<double>(below) / static_cast<double>(values.size());
}

}  // namespace

at::Tensor free_atoms(const data::Structure& s) {
  const auto tags = s.arrays.find("tags");
  if (tags != s.arrays.end()) return tags->second.reshape({-1}).gt(0);
  const auto fixed = s.arrays.find("fixed");
  if (fixed != s.arrays.end()) return fixed->second.reshape({-1}).eq(0);
  const auto move_mask = s.arrays.find("move_mask");
  if (move_mask != s.arrays.end()) return move_mask->second.reshape({s.num_atoms(), -1}).ne(0).any(1);
  return at::ones({s.num_atoms()}, at::kBool);
}

bool compare_relaxation(const data::Structure& s, const StructurePrediction& p, const std::string& label_key,
                        const std::string& where, train::EvaluationMetrics& metrics) {
  const auto predicted = p.per_atom.find(models::kRelaxedPositionsOutput);
  const auto label = s.arrays.find(label_key);
  if (predicted == p.per_atom.end() || label == s.arrays.end()) return false;
  if (label->second.numel() != 3 * s.num_atoms()) {
    fail("{}: label '{}' must hold 3 values per atom, it has {} for {} atoms", where, label_key,
         label->second.numel(), s.num_atoms());
  }
  const at::Tensor free = free_atoms(s);
  const at::Tensor reference = label->second.to(at::kDouble).reshape({-1, 3}).index({free});
  const at::Tensor difference =
      relaxation_nearest_image(s, predicted->second.to(at::kDouble).reshape({-1, 3}).index({free}) - reference);
  // Compared as the label plus the nearest-image difference, so the errors are the OC20 ones.
  metrics.add(models::kRelaxedPositionsOutput, "A", "component", reference + difference, reference);
  const at::Tensor distances = difference.norm(2, {1});
  metrics.add(kDistanceTarget, "A", "atom", distances, at::zeros_like(distances));
  if (distances.numel() > 0) {
    const at::Tensor mean = distances.mean();
    metrics.add(kMeanDistanceTarget, "A", "structure", mean, at::zeros_like(mean));
  }
  return true;
}

nlohmann::json relaxation_summary(const train::EvaluationMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  if (const auto* energy = metrics.find("energy")) {
    std::vector<double> errors;
    for (std::size_t k = 0; k < energy->reference.size(); ++k) {
      errors.push_back(std::abs(energy->predicted[k] - energy->reference[k]));
    }
    out["energy_mae"] = energy->errors.mae();
    out["energy_ewt"] = relaxation_fraction_below(errors, kEnergyWithinThreshold);
  }
  if (const auto* positions = metrics.find(models::kRelaxedPositionsOutput)) out["positions_mae"] = positions->errors.mae();
  if (const auto* distances = metrics.find(kDistanceTarget)) {
    out["mean_distance"] = distances->errors.mae();
    nlohmann::json within = nlohmann::json::object();
    for (const double t : kAtomThresholds) within[fmt::format("{}", t)] = relaxation_fraction_below(distances->predicted, t);
    out["atoms_within"] = within;
  }
  if (const auto* means = metrics.find(kMeanDistanceTarget)) {
    double sum = 0;
    int count = 0;
    for (int k = 0; k < 490; ++k, ++count) sum += relaxation_fraction_below(means->predicted, 0.01 + 0.001 * k);
    out["adwt"] = sum / count;
  }
  return out;
}

std::string relaxation_summary_text(const nlohmann::json& summary) {
  std::string text;
  if (summary.contains("energy_ewt")) {
    text += fmt::format("IS2RE: energy MAE {:.4f} eV, EwT (|error| < {} eV) {:.1f}%\n", summary["energy_mae"].get<double>(),
                        kEnergyWithinThreshold, 100 * summary["energy_ewt"].get<double>());
  }
  if (summary.contains("adwt")) {
    text += fmt::format("IS2RS (free atoms): position MAE {:.4f} A per component, mean distance {:.4f} A, ADwT {:.1f}%\n",
                        summary["positions_mae"].get<double>(), summary["mean_distance"].get<double>(),
                        100 * summary["adwt"].get<double>());
    std::string within;
    for (const auto& [threshold, fraction] : summary["atoms_within"].items()) {
      within += fmt::format("{}< {} A: {:.1f}%", within.empty() ? "" : ", ", threshold, 100 * fraction.get<double>());
    }
    text += "  atoms within " + within + "\n";
  }
  return text;
}

bool is_relaxation_distance_target(const std::string& name) {
  return name == kDistanceTarget || name == kMeanDistanceTarget;
}

}  // namespace eqt::inference
