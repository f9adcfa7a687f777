// The smooth-cutoff option (config.h's smooth_cutoff, eqt's extension) applies to the OC20
// variant too: with it the energy and the auxiliary vector are continuous where a pair crosses
// the radius; the published model (official exports, option off) jumps there.
#include <gtest/gtest.h>

#include <cmath>

#include "eqt/data/batch.h"
#include "eqt/data/graph_rule.h"
#include "eqt/io/json_file.h"
#include "eqt/io/safetensors.h"
#include "eqt/models/equiformer_oc20/model_format.h"
#include "eqt/models/potential.h"
#include "eqt/models/state_dict.h"
#include "support/oc20_reference.h"
#include "support/reference.h"

namespace eqt::testing {
namespace {

using models::equiformer_oc20::Oc20EquiformerModel;

// A Cu surface atom and an O adsorbate `distance` apart along x, alone in a 20 x 20 x 30 A cell
// (periodic images are beyond the 6 A radius).
data::Structure oc20_pair_at(double distance) {
  const at::Tensor positions = at::tensor({7.0, 10.0, 10.0, 7.0 + distance, 10.0, 10.5}, at::kDouble).reshape({2, 3});
  // The O sits 0.5 A higher: the pair length is sqrt(distance^2 + 0.25).
  data::Structure s = data::make_structure({29, 8}, positions, at::diag(at::tensor({20.0, 20.0, 30.0}, at::kDouble)),
                                           {true, true, true});
  s.arrays["tags"] = at::tensor({1, 2}, at::kLong);
  return s;
}

struct Oc20CutoffJump {
  double energy, aux;
};

// Outputs just inside and just outside the 6 A radius.
Oc20CutoffJump oc20_jump_at_cutoff(Oc20EquiformerModel& model) {
  const double h = 1e-7, x = std::sqrt(36.0 - 0.25);
  models::Outputs out[2];
  for (int k = 0; k < 2; ++k) {
    const data::Structure s = oc20_pair_at(x + (k == 0 ? -h : h));
    const data::Graph g = data::collate({&s}, model.graph_rule(), at::kDouble);
    EXPECT_EQ(g.num_edges(), k == 0 ? 2 : 0);
    out[k] = model.forward(g);
  }
  return {std::abs((out[0].at("energy_raw") - out[1].at("energy_raw")).item<double>()),
          (out[0].at("aux_pos") - out[1].at("aux_pos")).abs().max().item<double>()};
}

TEST(Oc20SmoothCutoff, EnergyAndAuxiliaryVectorAreContinuousAtTheRadius) {
  EQT_REQUIRE_SHARED(shared);
  const auto dir = oc20_reference_dir(shared) / "small_gat_nonlinear_aux";
  const auto published = models::equiformer_oc20::load_oc20_reference(dir);
  ASSERT_FALSE(published->config().network.smooth_cutoff);
  const Oc20CutoffJump jump = oc20_jump_at_cutoff(*published);
  EXPECT_GT(jump.energy, 1e-6) << "the published model should jump at the cutoff";

  auto config = models::equiformer_oc20::oc20_config_from_official_json(io::read_json_file(dir / "config.json"));
  config.network.smooth_cutoff = true;
  Oc20EquiformerModel smooth(config, at::kDouble);
  models::load_state_dict(smooth, io::read_safetensors(dir / "weights.safetensors").tensors);
  const Oc20CutoffJump none = oc20_jump_at_cutoff(smooth);
  EXPECT_LT(none.energy, 1e-10);
  EXPECT_LT(none.aux, 1e-10);
}

}  // namespace
}  // namespace eqt::testing
