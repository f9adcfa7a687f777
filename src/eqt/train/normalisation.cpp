#include "eqt/train/normalisation.h"

#include <cmath>
#include <set>

#include "eqt/core/error.h"
#include "eqt/data/elements.h"

namespace eqt::train {

namespace {

bool is_word(const YAML::Node& v, const char* word) { return v.IsScalar() && v.Scalar() == word; }

double rms(const std::vector<at::Tensor>& tensors) {
  double sum = 0.0;
  int64_t count = 0;
  for (const auto& t : tensors) {
    sum += t.pow(2).sum().item<double>();
    count += t.numel();
  }
  return count > 0 && sum > 0 ? std::sqrt(sum / static_cast<double>(count)) : 1.0;
}

std::map<int64_t, double> given_reference_energies(const YAML::Node& node) {
  if (!node.IsMap()) {
    fail("normalisation.reference_energies must be auto, none or a mapping {{H: eV, ...}}, not '{}'",
         YAML::Dump(node));
  }
  std::map<int64_t, double> out;
  for (const auto& item : node) {
    const auto symbol = item.first.as<std::string>();
    const auto z = data::atomic_number(symbol);
    if (!z) fail("normalisation.reference_energies: '{}' is not a chemical symbol", symbol);
    try {
      out[*z] = item.second.as<double>();
    } catch (const YAML::Exception&) {
      fail("normalisation.reference_energies.{} must be a number", symbol);
    }
  }
  return out;
}

std::map<int64_t, double> fitted_reference_energies(const Split& train) {
  const std::set<int64_t> species = train.species();
  const std::vector<int64_t> z(species.begin(), species.end());
  const auto k = static_cast<int64_t>(train.samples.size());
  at::Tensor counts = at::zeros({k, static_cast<int64_t>(z.size())}, at::kDouble);
  at::Tensor energies = at::zeros({k}, at::kDouble);
  for (int64_t i = 0; i < k; ++i) {
    const auto& s = train.samples[static_cast<std::size_t>(i)];
    const auto* numbers = s.structure.numbers.data_ptr<int64_t>();
    for (int64_t a = 0; a < s.structure.num_atoms(); ++a) {
      const auto col = std::lower_bound(z.begin(), z.end(), numbers[a]) - z.begin();
      counts[i][col] += 1.0;
    }
    energies[i] = s.labels.energy;
  }
  const std::vector<double> e = fit_reference_energies(counts, energies);
  std::map<int64_t, double> out;
  for (std::size_t s = 0; s < z.size(); ++s) out[z[s]] = e[s];
  return out;
}

double number(const YAML::Node& v, const char* key) {
  try {
    return v.as<double>();
  } catch (const YAML::Exception&) {
    fail("normalisation.{} must be auto or a number, not '{}'", key, YAML::Dump(v));
  }
}

}  // namespace

at::Tensor Normalisation::baseline(const at::Tensor& species, const at::Tensor& batch, int64_t num_structures) const {
  at::Tensor per_atom = at::zeros({species.size(0)}, at::kDouble);
  const auto* z = species.data_ptr<int64_t>();
  auto* out = per_atom.data_ptr<double>();
  for (int64_t i = 0; i < species.size(0); ++i) {
    const auto found = reference_energies.find(z[i]);
    out[i] = found == reference_energies.end() ? 0.0 : found->second;
  }
  return at::full({num_structures}, mean, at::kDouble).index_add(0, batch, per_atom);
}

double Normalisation::baseline(const data::Structure& s) const {
  at::Tensor batch = at::zeros({s.num_atoms()}, at::kLong);
  return baseline(s.numbers, batch, 1).item<double>();
}

std::vector<double> fit_reference_energies(const at::Tensor& counts, const at::Tensor& energies) {
  // Minimum-norm least squares through the pseudo-inverse (SVD), as numpy.linalg.lstsq.
  const at::Tensor solution = at::matmul(at::linalg_pinv(counts), energies.unsqueeze(1)).squeeze(1);
  const at::Tensor c = solution.contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

namespace {

// "the largest |force| label, 1e+300 eV/A, is in FILE: frame K" for each kind of label, so that a
// statistic that overflowed points at the structure that made it overflow.
std::string largest_labels(const Split& train) {
  struct Largest {
    const char* what;
    const char* unit;
    double value = 0.0;
    std::string where;
  };
  Largest energy{"energy", "eV", 0.0, ""}, force{"force", "eV/A", 0.0, ""}, stress{"stress", "eV/A^3", 0.0, ""},
      dipole{"dipole", "e A", 0.0, ""};
  const auto consider = [](Largest& largest, const at::Tensor& t, const std::string& where) {
    if (!t.defined() || t.numel() == 0) return;
    const double value = t.abs().max().item<double>();
    if (!(value <= largest.value)) largest = {largest.what, largest.unit, value, where};  // NaN wins too
  };
  for (const auto& sample : train.samples) {
    consider(energy, sample.labels.energy, sample.where);
    consider(force, sample.labels.forces, sample.where);
    consider(stress, sample.labels.stress, sample.where);
    consider(dipole, sample.labels.dipole, sample.where);
  }
  std::string out;
  for (const Largest* l : {&energy, &force, &stress, &dipole}) {
    if (l->where.empty()) continue;
    out += fmt::format("{}the largest |{}| label, {:.6g} {}, is in {}", out.empty() ? "" : "; ", l->what, l->value,
                       l->unit, l->where);
  }
  return out;
}

// Every statistic must be finite: one absurd label (finite, but whose square overflows) would
// otherwise make every step's loss NaN, every step skipped, and the run end with untrained weights.
void require_finite(const Normalisation& n, const Split& train) {
  std::vector<std::pair<std::string, double>> values = {
      {"mean", n.mean}, {"scale", n.scale}, {"stress_scale", n.stress_scale}, {"dipole_scale", n.dipole_scale},
      {"positions_std", n.positions_std}};
  for (const auto& [z, e] : n.reference_energies) values.emplace_back("reference energy of " + data::chemical_symbol(z), e);
  for (const auto& [name, value] : values) {
    if (!std::isfinite(value)) {
      fail("the normalisation fitted on the training set is not finite ({} = {}): a label is absurdly large; {}",
           name, value, largest_labels(train));
    }
  }
}

// Mean, scales and reference energies as the config asks, fitted where it says "auto".
Normalisation fit_statistics(const Split& train, const TrainConfig& config) {
  Normalisation n;
  const bool have_energy = config.energy.trained();
  if (is_word(config.reference_energies, "auto")) {
    if (have_energy) n.reference_energies = fitted_reference_energies(train);
  } else if (!is_word(config.reference_energies, "none") && !config.reference_energies.IsNull()) {
    n.reference_energies = given_reference_energies(config.reference_energies);
  }
  std::vector<double> residuals;
  for (const auto& s : train.samples) {
    if (have_energy) residuals.push_back(s.labels.energy.item<double>() - n.baseline(s.structure));
  }
  if (is_word(config.mean, "auto")) {
    if (n.reference_energies.empty() && !residuals.empty()) {
      double sum = 0.0;
      for (double r : residuals) sum += r;
      n.mean = sum / static_cast<double>(residuals.size());
    }
  } else {
    n.mean = number(config.mean, "mean");
  }
  std::vector<at::Tensor> forces, stress, dipole;
  for (const auto& s : train.samples) {
    if (s.labels.forces.defined()) forces.push_back(s.labels.forces);
    if (s.labels.stress.defined()) stress.push_back(s.labels.stress);
    if (s.labels.dipole.defined()) dipole.push_back(s.labels.dipole);
  }
  if (is_word(config.scale, "auto")) {
    if (!forces.empty()) {
      n.scale = rms(forces);
    } else if (residuals.size() > 1) {
      double m = 0.0, v = 0.0;
      for (double r : residuals) m += (r - n.mean) / static_cast<double>(residuals.size());
      for (double r : residuals) v += (r - n.mean - m) * (r - n.mean - m);
      n.scale = std::sqrt(v / static_cast<double>(residuals.size()));
      if (!(n.scale > 0)) n.scale = 1.0;
    }
  } else {
    n.scale = number(config.scale, "scale");
    if (!(n.scale > 0)) fail("normalisation.scale must be > 0");
  }
  n.stress_scale = rms(stress);
  n.dipole_scale = rms(dipole);
  if (config.relaxed_positions.trained()) {
    if (is_word(config.positions_std, "auto")) {
      n.positions_std = fit_positions_std(train);
    } else {
      n.positions_std = number(config.positions_std, "positions_std");
      if (!(n.positions_std > 0)) fail("normalisation.positions_std must be > 0");
    }
  }
  return n;
}

}  // namespace

Normalisation fit_normalisation(const Split& train, const TrainConfig& config) {
  Normalisation n = fit_statistics(train, config);
  require_finite(n, train);
  return n;
}

double fit_positions_std(const Split& train) {
  double sum = 0.0;
  int64_t count = 0;
  for (const auto& s : train.samples) {
    if (!s.labels.displacement.defined()) continue;
    const at::Tensor lengths = s.labels.displacement.norm(2, {1});
    sum += (lengths * s.labels.free_atoms.to(lengths.scalar_type())).sum().item<double>();
    count += s.labels.free_atoms.sum().item<int64_t>();
  }
  return count > 0 && sum > 0 ? sum / static_cast<double>(count) : 1.0;
}

nlohmann::json normalisation_json(const Normalisation& n, bool with_baseline) {
  nlohmann::json refs = nlohmann::json::object();
  if (with_baseline) {
    for (const auto& [z, e] : n.reference_energies) refs[data::chemical_symbol(z)] = e;
  }
  return {{"mean", with_baseline ? n.mean : 0.0}, {"std", n.scale}, {"reference_energies", refs}};
}

nlohmann::json to_json(const Normalisation& n) {
  nlohmann::json j = normalisation_json(n, true);
  j["stress_scale"] = n.stress_scale;
  j["dipole_scale"] = n.dipole_scale;
  j["positions_std"] = n.positions_std;
  return j;
}

Normalisation normalisation_from_json(const nlohmann::json& j) {
  Normalisation n;
  n.mean = j.at("mean").get<double>();
  n.scale = j.at("std").get<double>();
  n.stress_scale = j.value("stress_scale", 1.0);
  n.dipole_scale = j.value("dipole_scale", 1.0);
  n.positions_std = j.value("positions_std", 1.0);
  for (const auto& [symbol, value] : j.at("reference_energies").items()) {
    n.reference_energies[*data::atomic_number(symbol)] = value.get<double>();
  }
  return n;
}

}  // namespace eqt::train
