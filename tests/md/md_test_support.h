#pragma once
// Shared helpers of the MD tests: a Lennard-Jones Model written with ATen ops (so it goes through
// the model interface and models::evaluate like any trained model), argon crystals, and a
// ForceField that evaluates any model on a fresh neighbour list (no skin) for comparisons.
#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "eqt/data/batch.h"
#include "eqt/md/force_field.h"
#include "eqt/md/random.h"
#include "eqt/md/state.h"
#include "eqt/models/model.h"
#include "eqt/models/potential.h"

namespace eqt::testing {

// E = sum over pairs r < rc of 4 eps ((sigma/r)^12 - (sigma/r)^6) - e0, with e0 the same at rc:
// ASE's LennardJones(smooth=False) calculator.
class LennardJones : public models::Model {
 public:
  LennardJones(double sigma, double epsilon, double rc) : sigma_(sigma), epsilon_(epsilon), rc_(rc) {}
  models::Outputs forward(const data::Graph& graph) override {
    const at::Tensor x = graph.edge_vectors();
    const at::Tensor c6 = at::pow(sigma_ * sigma_ / (x * x).sum(-1), 3);
    const double e0 = 4 * epsilon_ * (std::pow(sigma_ / rc_, 12) - std::pow(sigma_ / rc_, 6));
    // Each pair appears as (i, j) and (j, i): half the pair energy per edge.
    const at::Tensor per_edge = 0.5 * (4 * epsilon_ * (c6 * c6 - c6) - e0);
    return {{"energy", at::zeros({graph.num_structures()}, x.options()).index_add(0, graph.edge_batch, per_edge)}};
  }
  double cutoff() const override { return rc_; }
  std::string kind() const override { return "lennard-jones"; }

 private:
  double sigma_, epsilon_, rc_;
};

inline constexpr double kArgonSigma = 3.405;     // Angstrom
inline constexpr double kArgonEpsilon = 0.0103;  // eV

// n x n x n conventional fcc cells of argon (4 n^3 atoms), periodic, every atom displaced by a
// seeded random vector of rms `rattle` Angstrom per component.
inline data::Structure argon_crystal(int64_t n, double lattice = 5.26, double rattle = 0.05, uint64_t seed = 1) {
  const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
  std::vector<double> xyz;
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b < n; ++b)
      for (int64_t c = 0; c < n; ++c)
        for (const auto& site : basis) {
          xyz.push_back((a + site[0]) * lattice);
          xyz.push_back((b + site[1]) * lattice);
          xyz.push_back((c + site[2]) * lattice);
        }
  const auto count = static_cast<int64_t>(xyz.size() / 3);
  md::GaussianSource random(seed);
  at::Tensor positions = at::tensor(xyz, at::kDouble).view({count, 3}) + rattle * random.normal({count, 3});
  const at::Tensor cell = at::eye(3, at::kDouble) * (lattice * static_cast<double>(n));
  return data::make_structure(std::vector<int64_t>(count, 18), positions, cell, {true, true, true});
}

// Energy and forces of a model on a fresh neighbour list at the model's cutoff.
inline models::Evaluation evaluate_fresh(models::Model& model, const md::MdState& state) {
  const data::Structure s = md::structure_of(state);
  return models::evaluate(model, data::collate({&s}, model.cutoff(), at::kDouble));
}

}  // namespace eqt::testing
