// A model file's sizes decide what eqt allocates before it reads the weights, so absurd ones must
// fail with the key's name instead of exhausting memory (issue #17; before these limits, an
// Equiformer with number_of_basis = 10^8 allocated 14 GB and one with 10^6 layers ran until killed).
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/config.h"
#include "eqt/models/pet/hypers.h"
#include "eqt/so3/irreps.h"

namespace {

std::string refusal_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const eqt::Error& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string equiformer_refusal(const std::function<void(eqt::models::equiformer::EquiformerConfig&)>& edit) {
  eqt::models::equiformer::EquiformerConfig config;
  config.validate();  // the defaults (the paper's MD17 model) are accepted
  edit(config);
  return refusal_of([&] { config.validate(); });
}

TEST(HostileModelSizes, EquiformerDepthWidthAndBasisAreBounded) {
  using Config = eqt::models::equiformer::EquiformerConfig;
  EXPECT_NE(equiformer_refusal([](Config& c) { c.num_layers = 1000000; }).find("num_layers must be in 1..256"), std::string::npos);
  EXPECT_NE(equiformer_refusal([](Config& c) { c.number_of_basis = 100000000; }).find("number_of_basis must be in 1..4096"),
            std::string::npos);
  EXPECT_NE(equiformer_refusal([](Config& c) { c.num_heads = 1 << 20; }).find("num_heads"), std::string::npos);
  EXPECT_NE(equiformer_refusal([](Config& c) { c.fc_neurons = {64, 1 << 30}; }).find("fc_neurons"), std::string::npos);
  EXPECT_NE(equiformer_refusal([](Config& c) { c.max_atom_type = 1 << 30; }).find("max_atom_type"), std::string::npos);
  EXPECT_NE(equiformer_refusal([](Config& c) { c.irreps_node_embedding = "99999x0e"; })
                .find("irreps_node_embedding = '99999x0e' has dimension 99999"),
            std::string::npos);
  EXPECT_NE(equiformer_refusal([](Config& c) { c.irreps_sh = "1x0e+1x1e+1x20e"; }).find("has degree 20"), std::string::npos);
  // Just inside the limits is accepted.
  EXPECT_EQ(equiformer_refusal([](Config& c) { c.num_layers = 256; }), "(accepted)");
}

TEST(HostileModelSizes, IrrepsWhoseDimensionOverflowsAnIntAreRefused) {
  EXPECT_NE(refusal_of([] { eqt::so3::Irreps("999999x999999e"); }).find("dimension over 2^30"), std::string::npos);
  EXPECT_EQ(eqt::so3::Irreps("1000x10e").dim(), 21000);
}

TEST(HostileModelSizes, PetWidthsAndDepthsAreBounded) {
  const auto hypers_with = [](const char* key, int64_t value) {
    nlohmann::json h = eqt::models::pet::to_architectural_hypers(eqt::models::pet::PetHypers{});
    h[key] = value;
    return refusal_of([&] { eqt::models::pet::parse_pet_hypers(h); });
  };
  EXPECT_NE(hypers_with("TRANSFORMER_D_MODEL", int64_t{1} << 40).find("TRANSFORMER_D_MODEL = 1099511627776 is beyond eqt's limit of 65536"),
            std::string::npos);
  EXPECT_NE(hypers_with("N_GNN_LAYERS", 100000).find("N_GNN_LAYERS = 100000 is beyond eqt's limit of 256"), std::string::npos);
  EXPECT_EQ(hypers_with("N_GNN_LAYERS", 4), "(accepted)");
}

}  // namespace
