// ECSE energies and forces are continuous along paths where the frame set changes: a neighbour
// leaving the outer cutoff, a neighbour leaving the adaptive inner cutoff, and a pair becoming
// collinear (where the fallback model takes over). Continuity test: zooming into the largest jump
// of a scan (steps h/10 ... h/1e4) must shrink it by a clear factor (a discontinuity would not).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <set>

#include "models/ecse_test_support.h"

namespace eqt::testing {
namespace {

using Path = std::function<at::Tensor(double)>;  // parameter -> positions [N, 3]

struct Scan {
  std::vector<double> energy;
  std::vector<at::Tensor> forces;
  std::vector<int64_t> frames;
};

Scan scan(models::ecse::EcseModel& model, const data::Structure& s, const Path& path, double a, double b, int n) {
  Scan out;
  for (int k = 0; k <= n; ++k) {
    const auto moved = with_positions(s, path(a + (b - a) * k / n));
    const auto result = ecse_evaluate(model, graph_of({&moved}, model.cutoff()));
    out.energy.push_back(result.energy[0].item<double>());
    out.forces.push_back(result.forces);
    out.frames.push_back(model.last_diagnostics().frames_per_structure[0].item<int64_t>());
  }
  return out;
}

struct Jump {
  double energy = 0, force = 0;
  int energy_at = 0, force_at = 0;
};

Jump largest_jumps(const Scan& s) {
  Jump j;
  for (std::size_t k = 0; k + 1 < s.energy.size(); ++k) {
    const double de = std::abs(s.energy[k + 1] - s.energy[k]);
    const double df = (s.forces[k + 1] - s.forces[k]).abs().max().item<double>();
    if (de > j.energy) j = {de, j.force, static_cast<int>(k), j.force_at};
    if (df > j.force) j = {j.energy, df, j.energy_at, static_cast<int>(k)};
  }
  return j;
}

// Largest jump of energy (or of forces) on a scan with step h, then on rescans of the worst
// interval with steps h/10, h/100, ... ECSE has steep (but smooth) features where frames are
// pruned, so one refinement is not enough to tell them from a jump; `levels` refinements are.
std::vector<double> zoomed_jumps(models::ecse::EcseModel& model, const data::Structure& s, const Path& path,
                                 double a, double b, bool forces, int levels) {
  std::vector<double> jumps;
  int n = 120;
  for (int level = 0; level <= levels; ++level) {
    const Jump j = largest_jumps(scan(model, s, path, a, b, n));
    jumps.push_back(forces ? j.force : j.energy);
    const double h = (b - a) / n;
    a += h * (forces ? j.force_at : j.energy_at);
    b = a + h;
    n = 10;
  }
  return jumps;
}

// Returns the number of distinct frame counts seen, so callers can check the path is eventful.
std::size_t expect_continuous(models::ecse::EcseModel& model, const data::Structure& s, const Path& path, double a,
                              double b) {
  for (bool forces : {false, true}) {
    const auto jumps = zoomed_jumps(model, s, path, a, b, forces, 4);
    // A discontinuity keeps its size under refinement; a continuous function's jumps shrink ~h.
    EXPECT_LT(jumps.back(), 0.05 * jumps.front() + 1e-12)
        << (forces ? "forces" : "energy") << ": jump " << jumps.front() << " at step h, " << jumps.back()
        << " at h/1e4";
  }
  const Scan coarse = scan(model, s, path, a, b, 30);
  return std::set<int64_t>(coarse.frames.begin(), coarse.frames.end()).size();
}

// Atom `moving` at distance d from atom `centre` along their current direction.
Path radial(const data::Structure& s, int64_t centre, int64_t moving) {
  const at::Tensor p = s.positions.to(at::kDouble);
  const at::Tensor u = (p[moving] - p[centre]) / (p[moving] - p[centre]).norm();
  return [p, u, centre, moving](double d) {
    at::Tensor q = p.clone();
    q[moving] = p[centre] + d * u;
    return q;
  };
}

TEST(EcseSmoothness, NeighbourCrossingOuterCutoff) {
  EQT_REQUIRE_SHARED(shared);
  auto model = ecse_pet(shared);
  const auto structures = pet_reference_structures(shared);
  const auto& methane = structures[0].structure;
  const double rc = model->cutoff();
  const Path path = radial(methane, 0, 1);
  expect_continuous(*model, methane, path, rc - 0.3, rc + 0.1);
  // The frames stay the same here; what changes is the neighbour list (the outer environment).
  const auto inside = with_positions(methane, path(rc - 0.3)), outside = with_positions(methane, path(rc + 0.1));
  EXPECT_GT(graph_of({&inside}, rc).num_edges(), graph_of({&outside}, rc).num_edges());
}

TEST(EcseSmoothness, NeighbourCrossingInnerCutoff) {
  EQT_REQUIRE_SHARED(shared);
  auto model = ecse_pet(shared);
  const auto structures = pet_reference_structures(shared);
  const auto& methane = structures[0].structure;
  EXPECT_GE(expect_continuous(*model, methane, radial(methane, 0, 1), 1.0, 2.2), 2u);
}

TEST(EcseSmoothness, PairBecomingCollinearWithFallback) {
  EQT_REQUIRE_SHARED(shared);
  const auto water = data::make_structure({8, 1, 1}, at::zeros({3, 3}, at::kDouble));
  auto base = ecse_pet(shared);
  models::ecse::EcseModel model(models::pet::load_pet_reference(pet_reference_dir(shared)).model,
                                models::pet::load_pet_reference(pet_reference_dir(shared)).model, base->options());
  // H-O-H with |OH| = 0.96 A and the angle opening from 140 to 180 degrees.
  const Path bend = [](double degrees) {
    const double t = degrees * M_PI / 180.0;
    return at::tensor({0.0, 0.0, 0.0, 0.96, 0.0, 0.0, 0.96 * std::cos(t), 0.96 * std::sin(t), 0.0}, at::kDouble)
        .view({3, 3});
  };
  EXPECT_GE(expect_continuous(model, water, bend, 140.0, 180.0), 2u);
}

}  // namespace
}  // namespace eqt::testing
