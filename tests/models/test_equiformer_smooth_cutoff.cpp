// The smooth Equiformer (smooth_cutoff): energies and forces are continuous when a neighbour
// crosses the cutoff, for both attention types, every radial basis, the degree rescaling and a
// node whose only neighbour leaves; inside the switching region's inner radius it is the published
// model exactly. The published model (smooth_cutoff off) jumps on the same paths, so the tests can
// tell a jump from none. float64, random weights.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>

#include "eqt/core/error.h"
#include "eqt/io/json_file.h"
#include "eqt/models/model_dir.h"
#include "eqt/models/potential.h"
#include "models/equiformer_fixtures.h"

namespace eqt::testing {
namespace {

using models::equiformer::AttentionType;
using models::equiformer::EquiformerConfig;
using models::equiformer::EquiformerModel;

constexpr double kCutoff = 4.0;  // small_config's max_radius

struct Variant {
  std::string name;
  EquiformerConfig config;
};

std::vector<Variant> variants() {
  std::vector<Variant> out;
  for (const char* basis : {"gaussian", "exp", "bessel"}) {
    EquiformerConfig graph = small_config();
    graph.basis_type = basis;
    out.push_back({std::string("graph_nonlinear_") + basis, graph});
    EquiformerConfig linear = graph;
    linear.nonlinear_message = false;
    out.push_back({std::string("graph_linear_") + basis, linear});
    EquiformerConfig dot = graph;
    dot.attention = AttentionType::DotProduct;
    dot.nonlinear_message = false;
    out.push_back({std::string("dot_product_") + basis, dot});
  }
  EquiformerConfig rescaled = small_config();
  rescaled.rescale_degree = true;
  out.push_back({"graph_rescale_degree", rescaled});
  EquiformerConfig dot_rescaled = rescaled;
  dot_rescaled.attention = AttentionType::DotProduct;
  dot_rescaled.nonlinear_message = false;
  out.push_back({"dot_product_rescale_degree", dot_rescaled});
  return out;
}

std::shared_ptr<EquiformerModel> built(EquiformerConfig config, bool smooth) {
  config.smooth_cutoff = smooth;
  at::manual_seed(11);  // the same weights for smooth and published
  auto model = std::make_shared<EquiformerModel>(config, at::kDouble);
  models::prepare_for_inference(*model);
  return model;
}

// Atoms 0..n-2 fixed; the last atom on the line from atom 0 along `direction` at `distance`.
data::Structure with_last_at(const std::vector<int64_t>& numbers, at::Tensor fixed, const at::Tensor& direction,
                             double distance) {
  const at::Tensor last = (direction * distance).unsqueeze(0);
  return data::make_structure(numbers, at::cat({fixed, last}, 0));
}

struct EnergyForces {
  double energy;
  at::Tensor forces;
};

EnergyForces evaluate_at(EquiformerModel& model, const data::Structure& s) {
  const auto result = models::evaluate(model, graph_of(s, kCutoff));
  return {result.energy[0].item<double>(), result.forces.detach()};
}

struct Crossing {
  double energy_jump;  // |E+ - E- + (F+ + F-).u h| for the moving atom
  double force_jump;   // max |F+ - F-|
};

Crossing cross(EquiformerModel& model, const std::vector<int64_t>& numbers, const at::Tensor& fixed, double h) {
  const at::Tensor u = at::tensor({0.6, 0.64, 0.48}, at::kDouble);  // unit vector
  const auto inside = evaluate_at(model, with_last_at(numbers, fixed, u, kCutoff - h));
  const auto outside = evaluate_at(model, with_last_at(numbers, fixed, u, kCutoff + h));
  const int64_t last = fixed.size(0);
  const double work = at::dot(inside.forces[last] + outside.forces[last], u).item<double>() * h;
  return {std::abs(outside.energy - inside.energy + work), (outside.forces - inside.forces).abs().max().item<double>()};
}

// Atom 0 at the origin, atom 1 close to it (an inner neighbour of both 0 and the mover).
at::Tensor two_fixed_atoms() { return at::tensor({0.0, 0.0, 0.0, -0.9, 0.5, 0.3}, at::kDouble).view({2, 3}); }

TEST(EquiformerSmoothCutoff, NeighbourCrossingTheCutoffIsContinuous) {
  for (const auto& v : variants()) {
    auto smooth = built(v.config, true);
    const Crossing c = cross(*smooth, {6, 1, 8}, two_fixed_atoms(), 1e-7);
    EXPECT_LT(c.energy_jump, 1e-9) << v.name;
    EXPECT_LT(c.force_jump, 1e-5) << v.name;
    auto published = built(v.config, false);
    const Crossing p = cross(*published, {6, 1, 8}, two_fixed_atoms(), 1e-7);
    EXPECT_GT(p.energy_jump, 1e-4) << v.name << ": the published model should jump here";
  }
}

TEST(EquiformerSmoothCutoff, OnlyNeighbourLeavingIsContinuous) {
  // Two atoms: each is the other's only neighbour, so the softmax over one edge is 1 whatever
  // the cutoff weight; the extra factor of the weight must fade the message out.
  for (const auto& v : variants()) {
    auto smooth = built(v.config, true);
    const at::Tensor origin = at::zeros({1, 3}, at::kDouble);
    const Crossing c = cross(*smooth, {6, 8}, origin, 1e-7);
    EXPECT_LT(c.energy_jump, 1e-9) << v.name;
    EXPECT_LT(c.force_jump, 1e-5) << v.name;
  }
}

TEST(EquiformerSmoothCutoff, JumpShrinksWithTheStep) {
  // A continuous energy's residual shrinks as h^2 or faster; forces' changes as h.
  auto smooth = built(small_config(), true);
  const Crossing coarse = cross(*smooth, {6, 1, 8}, two_fixed_atoms(), 1e-3);
  const Crossing fine = cross(*smooth, {6, 1, 8}, two_fixed_atoms(), 1e-5);
  EXPECT_GT(coarse.force_jump, 0.0);
  EXPECT_LT(fine.force_jump, 0.05 * coarse.force_jump);
}

TEST(EquiformerSmoothCutoff, EqualsThePublishedModelInsideTheSwitch) {
  // Every distance below max_radius - smooth_cutoff_width = 3 A: all cutoff weights are exactly 1.
  for (const auto& v : variants()) {
    auto smooth = built(v.config, true);
    auto published = built(v.config, false);
    const at::Tensor positions =
        at::tensor({0.0, 0.0, 0.0, 1.1, 0.1, -0.2, -0.4, 1.2, 0.5, 0.3, -0.8, 1.4}, at::kDouble).view({4, 3});
    const auto s = data::make_structure({6, 1, 8, 1}, positions);
    const auto a = evaluate_at(*smooth, s);
    const auto b = evaluate_at(*published, s);
    EXPECT_NEAR(a.energy, b.energy, 1e-12 * std::abs(b.energy)) << v.name;
    EXPECT_LT(max_abs_diff(a.forces, b.forces), 1e-12) << v.name;
    EXPECT_GT(b.forces.abs().max().item<double>(), 1e-3) << v.name;  // not a trivial zero
  }
}

TEST(EquiformerSmoothCutoff, SwitchRegionChangesTheEnergy) {
  // Between 3 and 4 A the weight is below 1: the smooth and published models differ there.
  auto smooth = built(small_config(), true);
  auto published = built(small_config(), false);
  const at::Tensor u = at::tensor({0.6, 0.64, 0.48}, at::kDouble);
  const auto s = with_last_at({6, 1, 8}, two_fixed_atoms(), u, 3.5);
  EXPECT_GT(std::abs(evaluate_at(*smooth, s).energy - evaluate_at(*published, s).energy), 1e-6);
}

TEST(EquiformerSmoothCutoff, ConfigValidatesTheWidth) {
  EquiformerConfig c = small_config();
  c.smooth_cutoff_width = 0.0;
  EXPECT_THROW(c.validate(), Error);
  c.smooth_cutoff_width = c.max_radius + 0.1;
  EXPECT_THROW(c.validate(), Error);
  c.smooth_cutoff = false;  // the width is not used then
  EXPECT_NO_THROW(c.validate());
}

TEST(EquiformerSmoothCutoff, ModelJsonRecordsItAndOldFilesReadAsPublished) {
  const auto dir = temp_dir("smooth_cutoff_model_dir");
  EquiformerConfig config = small_config();
  config.smooth_cutoff_width = 0.75;
  auto model = built(config, true);
  models::save_model(*model, dir / "smooth");
  const auto json = io::read_json_file(dir / "smooth" / "model.json");
  const auto& architecture = json.at("architecture");
  EXPECT_EQ(architecture.at("smooth_cutoff"), true) << json.dump();
  EXPECT_EQ(architecture.at("smooth_cutoff_width"), 0.75);
  auto reloaded = std::dynamic_pointer_cast<EquiformerModel>(models::load_model(dir / "smooth"));
  ASSERT_TRUE(reloaded);
  EXPECT_TRUE(reloaded->config().smooth_cutoff);
  EXPECT_EQ(reloaded->config().smooth_cutoff_width, 0.75);

  // A model.json from before the option: no key, the published model.
  auto published = built(config, false);
  models::save_model(*published, dir / "old");
  auto text = io::read_json_file(dir / "old" / "model.json");
  text["architecture"].erase("smooth_cutoff");
  text["architecture"].erase("smooth_cutoff_width");
  std::ofstream(dir / "old" / "model.json") << text.dump(2);
  auto old = std::dynamic_pointer_cast<EquiformerModel>(models::load_model(dir / "old"));
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->config().smooth_cutoff);
}

}  // namespace
}  // namespace eqt::testing
