// The checks of `eqt check` on models whose answers are known: a smooth isotropic pair energy
// passes everything; the same energy without its switch jumps at the cutoff; an anisotropic one
// breaks rotations (and is caught when it claims them); the smooth Equiformer passes and the
// published one fails the cutoff checks. float64.
#include <gtest/gtest.h>

#include "eqt/check/model_check.h"
#include "eqt/nn/cutoff.h"
#include "md/nve_test_support.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

using check::Verdict;

// E = sum over directed edges of exp(-r) (1 + a (x/r)^2), optionally times a cosine switch.
class ToyPairModel : public models::Model {
 public:
  ToyPairModel(bool smooth, double anisotropy) : smooth_(smooth), anisotropy_(anisotropy) {}
  models::Outputs forward(const data::Graph& graph) override {
    const at::Tensor v = graph.edge_vectors();
    const at::Tensor r = v.norm(2, {1});
    const at::Tensor x = v.select(1, 0) / r;
    at::Tensor e = at::exp(-r) * (1 + anisotropy_ * x * x);
    if (smooth_) e = e * nn::cosine_switch(r, cutoff(), 0.5);
    return {{"energy", at::zeros({graph.num_structures()}, e.options()).index_add(0, graph.edge_batch, e)}};
  }
  double cutoff() const override { return 3.0; }
  std::string kind() const override { return "toy"; }
  models::ExactSymmetries exact_symmetries() const override { return {true, true}; }

 private:
  bool smooth_;
  double anisotropy_;
};

md::MdState cluster() {
  const at::Tensor positions = at::tensor({0.0, 0.0, 0.0, 1.1, 0.2, -0.1, -0.3, 1.0, 0.4, 0.5, -0.7, 1.1, 2.0, 1.5, 0.7},
                                          at::kDouble)
                                   .view({5, 3});
  return md::state_from_structure(data::make_structure({6, 1, 1, 8, 1}, positions), "cluster");
}

std::map<std::string, check::CheckResult> run(std::shared_ptr<models::Model> model, const md::MdState& state,
                                              bool nve = false) {
  check::Probe probe(std::move(model), at::kDouble);
  check::ModelCheckOptions options;
  options.run_nve = nve;
  std::map<std::string, check::CheckResult> by_name;
  for (auto& r : check::run_model_checks(probe, state, options)) by_name[r.name] = r;
  return by_name;
}

TEST(ModelCheck, SmoothIsotropicModelPassesEverything) {
  auto results = run(std::make_shared<ToyPairModel>(true, 0.0), cluster());
  for (const auto& [name, r] : results) EXPECT_EQ(r.verdict, Verdict::Pass) << name << ": " << r.detail;
  EXPECT_GT(results.at("cutoff_energy_jump").data.at("pairs_tested").get<int>(), 3);
}

TEST(ModelCheck, HardCutoffFailsTheCrossingChecks) {
  auto results = run(std::make_shared<ToyPairModel>(false, 0.0), cluster());
  EXPECT_EQ(results.at("cutoff_energy_jump").verdict, Verdict::Fail);
  // Each pair enters twice (i->j, j->i) with exp(-3) each.
  EXPECT_NEAR(results.at("cutoff_energy_jump").value, 2 * std::exp(-3.0), 1e-4);
  EXPECT_EQ(results.at("cutoff_force_jump").verdict, Verdict::Fail);
  EXPECT_EQ(results.at("finite_difference_forces").verdict, Verdict::Pass);  // continuous where it stands
}

TEST(ModelCheck, AnisotropicModelClaimingRotationsFails) {
  auto results = run(std::make_shared<ToyPairModel>(true, 0.3), cluster());
  EXPECT_EQ(results.at("rotation").verdict, Verdict::Fail);
  EXPECT_GT(results.at("rotation").value, 1e-4);
  EXPECT_EQ(results.at("inversion").verdict, Verdict::Pass);  // (x/r)^2 is even
  EXPECT_EQ(results.at("permutation").verdict, Verdict::Pass);
  EXPECT_EQ(results.at("translation").verdict, Verdict::Pass);
}

TEST(ModelCheck, FiniteDifferenceErrorGrowsWithTheStep) {
  // The check measures something: with a coarse step the O(h^2) error shows.
  check::Probe probe(std::make_shared<ToyPairModel>(true, 0.3), at::kDouble);
  const auto state = cluster();
  const auto start = probe.at(state);
  check::FiniteDifferenceOptions fine, coarse;
  coarse.h = 0.1;
  const double fine_error = check::check_finite_difference_forces(probe, state, start, fine).value;
  const double coarse_error = check::check_finite_difference_forces(probe, state, start, coarse).value;
  EXPECT_LT(fine_error, 1e-7);
  EXPECT_GT(coarse_error, 1e3 * fine_error);
}

TEST(ModelCheck, SmoothEquiformerPassesAndPublishedFails) {
  for (const bool smooth : {true, false}) {
    auto config = small_config();
    config.smooth_cutoff = smooth;
    at::manual_seed(3);
    auto model = std::make_shared<models::equiformer::EquiformerModel>(config, at::kDouble);
    // An open cluster spread over ~5 A, so that pairs sit on both sides of the 4 A cutoff.
    const at::Tensor positions = at::tensor({0.0, 0.0, 0.0, 1.1, 0.2, -0.1, -0.3, 1.0, 0.4, 2.5, -0.7, 1.1, 3.0,
                                             1.5, 0.7},
                                            at::kDouble)
                                     .view({5, 3});
    const auto state = md::state_from_structure(data::make_structure({6, 1, 1, 8, 1}, positions), "cluster");
    auto results = run(model, state);
    const Verdict expected = smooth ? Verdict::Pass : Verdict::Fail;
    EXPECT_EQ(results.at("cutoff_energy_jump").verdict, expected) << smooth << results.at("cutoff_energy_jump").detail;
    EXPECT_EQ(results.at("rotation").verdict, Verdict::Pass);
    EXPECT_EQ(results.at("inversion").verdict, Verdict::Info);  // irreps_sh 1x1e: SE(3) only
    EXPECT_EQ(results.at("finite_difference_forces").verdict, Verdict::Pass);
  }
}

TEST(ModelCheck, NveConvergenceTellsSmoothFromJumping) {
  for (const bool smooth : {true, false}) {
    auto config = small_config();
    config.max_radius = 1.8;  // among methane's H-H distances: pairs cross it
    config.smooth_cutoff = smooth;
    config.smooth_cutoff_width = 0.4;
    at::manual_seed(2024);
    auto model = std::make_shared<models::equiformer::EquiformerModel>(config, at::kDouble);
    check::Probe probe(model, at::kDouble);
    check::NveConvergenceOptions options;
    options.dt_fs = 0.4;
    options.steps = 50;
    const auto r = check::check_nve_convergence(probe, methane(), options);
    std::cout << (smooth ? "smooth" : "published") << ": " << r.detail << ", ratio " << r.value << "\n";
    EXPECT_EQ(r.verdict, smooth ? Verdict::Pass : Verdict::Fail) << r.detail;
  }
}

}  // namespace
}  // namespace eqt::testing
