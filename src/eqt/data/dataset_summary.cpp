#include "eqt/data/dataset_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "eqt/data/elements.h"
#include "eqt/data/neighbour_list.h"

namespace eqt::data {

void RunningStats::add(double value) {
  min = count == 0 ? value : std::min(min, value);
  max = count == 0 ? value : std::max(max, value);
  ++count;
  sum += value;
  sum_sq += value * value;
}

double RunningStats::mean() const { return count ? sum / count : 0.0; }

double RunningStats::std() const {
  if (count == 0) return 0.0;
  const double m = mean();
  return std::sqrt(std::max(0.0, sum_sq / count - m * m));
}

namespace {

void add_labels(const Structure& s, const LabelKeys& keys, DatasetSummary& out) {
  const double n = static_cast<double>(s.num_atoms());
  if (const auto e = energy_label(s, keys)) {
    ++out.frames_with_energy;
    out.energy.add(*e);
    if (n > 0) out.energy_per_atom.add(*e / n);
  }
  if (const auto f = forces_label(s, keys)) {
    ++out.frames_with_forces;
    const auto flat = f->contiguous();
    const double* p = flat.data_ptr<double>();
    for (int64_t a = 0; a < s.num_atoms(); ++a) {
      const double* v = p + 3 * a;
      for (int k = 0; k < 3; ++k) out.force_component.add(v[k]);
      out.force_norm.add(std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
    }
  }
  if (const auto st = stress_label(s, keys)) {
    ++out.frames_with_stress;
    const auto flat = st->contiguous();
    for (int k = 0; k < 9; ++k) out.stress_component.add(flat.data_ptr<double>()[k]);
  }
}

void add_neighbours(const Structure& s, int64_t frame, double cutoff, DatasetSummary& out) {
  const auto list = neighbour_list(s, cutoff);
  const auto counts = at::bincount(list.centres, {}, s.num_atoms());
  for (int64_t a = 0; a < s.num_atoms(); ++a) out.neighbours.add(counts[a].item<double>());
  if (list.size() == 0) return;
  const auto pos = s.positions;
  const auto vec = pos.index_select(0, list.neighbours) - pos.index_select(0, list.centres) +
                   at::matmul(list.shifts.to(at::kDouble), s.cell);
  const auto dist = vec.norm(2, 1);
  const int64_t k = dist.argmin().item<int64_t>();
  const double d = dist[k].item<double>();
  if (!out.closest || d < out.closest->distance) {
    out.closest = ClosestContact{d, frame, list.centres[k].item<int64_t>(),
                                 list.neighbours[k].item<int64_t>()};
  }
}

// Energy ~ sum over species of count * e_species, in the least-squares sense.
void fit_reference_energies(const std::vector<Structure>& structures, const LabelKeys& keys,
                            DatasetSummary& out) {
  std::vector<int64_t> species;
  for (const auto& kv : out.species_counts) species.push_back(kv.first);
  std::vector<double> rows, energies, atoms;
  for (const auto& s : structures) {
    const auto e = energy_label(s, keys);
    if (!e || s.num_atoms() == 0) continue;
    for (auto z : species) rows.push_back(s.numbers.eq(z).sum().item<double>());
    energies.push_back(*e);
    atoms.push_back(static_cast<double>(s.num_atoms()));
  }
  const auto m = static_cast<int64_t>(energies.size());
  const auto k = static_cast<int64_t>(species.size());
  if (m < k || k == 0) return;
  const auto a = at::tensor(rows, at::kDouble).reshape({m, k});
  const auto b = at::tensor(energies, at::kDouble).reshape({m, 1});
  const auto solution = at::matmul(at::linalg_pinv(a), b).reshape({k});
  const auto residual = (at::matmul(a, solution) - b.reshape({m})) / at::tensor(atoms, at::kDouble);
  for (int64_t i = 0; i < k; ++i) out.reference_energies[species[i]] = solution[i].item<double>();
  out.baseline_residual_rms = residual.pow(2).mean().sqrt().item<double>();
}

}  // namespace

DatasetSummary summarise(const std::vector<Structure>& structures, double cutoff,
                         const LabelKeys& keys) {
  DatasetSummary out;
  out.cutoff = cutoff;
  for (std::size_t f = 0; f < structures.size(); ++f) {
    const auto& s = structures[f];
    ++out.frames;
    out.periodic_frames += s.periodic() ? 1 : 0;
    out.atoms_per_frame.add(static_cast<double>(s.num_atoms()));
    for (int64_t a = 0; a < s.num_atoms(); ++a) ++out.species_counts[s.numbers[a].item<int64_t>()];
    add_labels(s, keys, out);
    if (cutoff > 0) add_neighbours(s, static_cast<int64_t>(f), cutoff, out);
  }
  fit_reference_energies(structures, keys, out);
  return out;
}

namespace {
nlohmann::json stats_json(const RunningStats& s) {
  if (s.count == 0) return nullptr;
  return {{"count", s.count}, {"mean", s.mean()}, {"std", s.std()}, {"min", s.min}, {"max", s.max},
          {"rms", std::sqrt(s.sum_sq / s.count)}};
}
}  // namespace

nlohmann::json to_json(const DatasetSummary& s) {
  nlohmann::json species = nlohmann::json::object();
  for (const auto& [z, n] : s.species_counts) species[chemical_symbol(z)] = n;
  nlohmann::json refs = nlohmann::json::object();
  for (const auto& [z, e] : s.reference_energies) refs[chemical_symbol(z)] = e;
  nlohmann::json out = {
      {"frames", s.frames},
      {"periodic_frames", s.periodic_frames},
      {"atoms_per_frame", stats_json(s.atoms_per_frame)},
      {"species_counts", species},
      {"frames_with", {{"energy", s.frames_with_energy}, {"forces", s.frames_with_forces},
                       {"stress", s.frames_with_stress}}},
      {"units", {{"energy", "eV"}, {"forces", "eV/Angstrom"}, {"stress", "eV/Angstrom^3"},
                 {"distance", "Angstrom"}}},
      {"energy", stats_json(s.energy)},
      {"energy_per_atom", stats_json(s.energy_per_atom)},
      {"force_component", stats_json(s.force_component)},
      {"force_norm", stats_json(s.force_norm)},
      {"stress_component", stats_json(s.stress_component)},
      {"cutoff", s.cutoff},
      {"neighbours_per_atom", stats_json(s.neighbours)},
      {"reference_energies", refs},
  };
  if (s.closest) {
    out["closest_contact"] = {{"distance", s.closest->distance}, {"frame", s.closest->frame},
                              {"i", s.closest->i}, {"j", s.closest->j}};
  }
  if (s.baseline_residual_rms) out["baseline_residual_rms_per_atom"] = *s.baseline_residual_rms;
  return out;
}

std::string format_summary(const DatasetSummary& s) {
  std::string out = fmt::format("frames: {} ({} periodic), atoms per frame {:.0f}..{:.0f} (mean {:.1f})\n",
                                s.frames, s.periodic_frames, s.atoms_per_frame.min,
                                s.atoms_per_frame.max, s.atoms_per_frame.mean());
  out += "species:";
  const double total = s.atoms_per_frame.sum;
  for (const auto& [z, n] : s.species_counts) {
    out += fmt::format(" {} {} ({:.1f}%)", chemical_symbol(z), n, 100.0 * n / std::max(total, 1.0));
  }
  out += fmt::format("\nlabels: energy {}/{}, forces {}/{}, stress {}/{}\n", s.frames_with_energy,
                     s.frames, s.frames_with_forces, s.frames, s.frames_with_stress, s.frames);
  if (s.energy.count) {
    out += fmt::format("energy: mean {:.6g} eV, std {:.6g} eV; per atom mean {:.6g}, std {:.6g} eV/atom\n",
                       s.energy.mean(), s.energy.std(), s.energy_per_atom.mean(), s.energy_per_atom.std());
  }
  if (s.force_component.count) {
    out += fmt::format("forces: component RMS {:.6g} eV/A, largest |F| {:.6g} eV/A\n",
                       std::sqrt(s.force_component.sum_sq / s.force_component.count), s.force_norm.max);
  }
  if (s.stress_component.count) {
    out += fmt::format("stress: component RMS {:.6g} eV/A^3\n",
                       std::sqrt(s.stress_component.sum_sq / s.stress_component.count));
  }
  if (s.cutoff > 0 && s.neighbours.count) {
    out += fmt::format("neighbours within {:.3g} A: mean {:.2f} per atom (min {:.0f}, max {:.0f})\n",
                       s.cutoff, s.neighbours.mean(), s.neighbours.min, s.neighbours.max);
  }
  if (s.closest) {
    out += fmt::format("closest contact: {:.4f} A (frame {}, atoms {} and {})\n", s.closest->distance,
                       s.closest->frame, s.closest->i, s.closest->j);
  }
  if (!s.reference_energies.empty()) {
    out += "reference energies (least squares):";
    for (const auto& [z, e] : s.reference_energies) out += fmt::format(" {} {:.6g}", chemical_symbol(z), e);
    out += fmt::format(" eV; residual RMS {:.4g} eV/atom\n", s.baseline_residual_rms.value_or(0.0));
  }
  return out;
}

}  // namespace eqt::data
