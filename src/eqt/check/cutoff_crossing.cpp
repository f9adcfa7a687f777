#include "eqt/check/cutoff_crossing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "eqt/data/neighbour_list.h"

namespace eqt::check {

namespace {

struct Pair {
  int64_t i = 0, j = 0;
  at::Tensor direction;  // unit vector from i to j's image, float64 [3]
  at::Tensor shift;      // float64 [3], S . cell added to j's position
};

std::vector<Pair> neighbour_pairs(const md::MdState& state, double cutoff) {
  const auto list = data::neighbour_list(state.positions, state.cell, state.pbc, cutoff);
  const at::Tensor cell = state.cell.defined() ? state.cell : at::zeros({3, 3}, at::kDouble);
  std::vector<Pair> pairs;
  for (int64_t e = 0; e < list.size(); ++e) {
    const int64_t i = list.centres[e].item<int64_t>(), j = list.neighbours[e].item<int64_t>();
    if (i >= j) continue;  // each pair once (j's image seen from i); no self-images
    const at::Tensor shift = at::matmul(list.shifts[e].to(at::kDouble), cell);
    const at::Tensor vector = state.positions[j] + shift - state.positions[i];
    const double distance = vector.norm().item<double>();
    if (!(distance > 0)) continue;
    pairs.push_back({i, j, vector / distance, shift});
  }
  return pairs;
}

// Up to `count` of `pairs`, spread evenly over the list.
std::vector<Pair> spread(const std::vector<Pair>& pairs, int64_t count) {
  if (static_cast<int64_t>(pairs.size()) <= count) return pairs;
  std::vector<Pair> chosen;
  for (int64_t k = 0; k < count; ++k) chosen.push_back(pairs[k * static_cast<int64_t>(pairs.size()) / count]);
  return chosen;
}

}  // namespace

std::pair<CheckResult, CheckResult> check_cutoff_crossing(Probe& probe, const md::MdState& state,
                                                          const CutoffCrossingOptions& options) {
  const double cutoff = probe.model()->cutoff();
  const auto all_pairs = neighbour_pairs(state, cutoff);
  const auto pairs = spread(all_pairs, options.max_pairs);
  CheckResult energy("cutoff_energy_jump", "eV", options.energy_threshold, "jump <= threshold");
  CheckResult force("cutoff_force_jump", "eV/A", options.force_threshold, "jump <= threshold");
  std::string worst_energy = "-", worst_force = "-";
  for (const Pair& p : pairs) {
    auto place = [&](double distance) {
      return with_atom_at(state, p.j, state.positions[p.i] + p.direction * distance - p.shift);
    };
    const EnergyForces inside = probe.at(place(cutoff - options.h));
    const EnergyForces outside = probe.at(place(cutoff + options.h));
    const double work = at::dot(inside.forces[p.j] + outside.forces[p.j], p.direction).item<double>() * options.h;
    const double energy_jump = std::abs(outside.energy - inside.energy + work);
    const double force_jump = (outside.forces - inside.forces).abs().max().item<double>();
    const std::string where = fmt::format("pair {}-{}", p.i, p.j);
    if (!(energy_jump <= energy.value)) {  // NaN counts as the worst
      energy.value = energy_jump;
      worst_energy = where;
    }
    if (!(force_jump <= force.value)) {
      force.value = force_jump;
      worst_force = where;
    }
  }
  const std::string tested = fmt::format("{} of {} pairs moved to cutoff {} +- {} A", pairs.size(),
                                         all_pairs.size(), cutoff, options.h);
  for (CheckResult* r : {&energy, &force}) {
    r->data = {{"pairs_tested", pairs.size()}, {"pairs_in_structure", all_pairs.size()}, {"cutoff", cutoff},
               {"h", options.h}};
  }
  if (pairs.empty()) {
    energy.verdict = force.verdict = Verdict::Info;
    energy.detail = force.detail = "no neighbour pairs within the cutoff: nothing to move across it";
    return {energy, force};
  }
  energy.verdict = at_most(energy.value, energy.threshold);
  force.verdict = at_most(force.value, force.threshold);
  energy.detail = fmt::format("{}; largest at {}", tested, worst_energy);
  force.detail = fmt::format("{}; largest at {}", tested, worst_force);
  return {energy, force};
}

}  // namespace eqt::check
