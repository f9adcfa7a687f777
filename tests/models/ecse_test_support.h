#pragma once
// Test-only helpers for ECSE: the PET reference backbone wrapped in ECSE with the reference
// sp_hypers, and a deliberately NON-equivariant backbone (an MLP on raw Cartesian edge vectors)
// to show that ECSE symmetrises any model.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <memory>

#include "eqt/models/ecse/ecse_model.h"
#include "eqt/models/pet/load.h"
#include "eqt/models/potential.h"
#include "models/pet_test_support.h"
#include "support/test_device.h"

namespace eqt::testing {

inline nlohmann::json pet_reference_outputs(const std::filesystem::path& shared) {
  return load_json(pet_reference_dir(shared) / "outputs.json");
}

inline std::shared_ptr<models::ecse::EcseModel> ecse_pet(const std::filesystem::path& shared,
                                                         int64_t max_frames_per_call = 0) {
  models::ecse::EcseOptions options;
  options.hypers = models::ecse::ecse_hypers_from_json(pet_reference_outputs(shared).at("sp_hypers"));
  options.hypers.pruning_mode = "official";  // the reference outputs come from upstream's pruning
  options.max_frames_per_call = max_frames_per_call;
  auto model = std::make_shared<models::ecse::EcseModel>(
      models::pet::load_pet_reference(pet_reference_dir(shared)).model, nullptr, options);
  model->to(test_device());
  return model;
}

// E = sum over edges of fc(|x|) * w2 . tanh(W1 x + b1): smooth in positions, depends on the raw
// components of x, hence not rotation invariant.
class CartesianMlp : public models::Model {
 public:
  explicit CartesianMlp(double cutoff, int64_t hidden = 16, uint64_t seed = 7) : cutoff_(cutoff) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    w1_ = at::randn({3, hidden}, generator, at::kDouble);
    b1_ = at::randn({hidden}, generator, at::kDouble);
    w2_ = at::randn({hidden}, generator, at::kDouble) / static_cast<double>(hidden);
  }
  models::Outputs forward(const data::Graph& graph) override {
    const at::Tensor x = graph.edge_vectors();
    const at::Tensor r = at::sqrt((x * x).sum(-1));
    // Cosine cutoff: continuous with continuous derivative at the cutoff.
    const at::Tensor fc = at::where(r < cutoff_, 0.5 * (at::cos(M_PI * r / cutoff_) + 1.0), at::zeros_like(r));
    const at::Tensor per_edge = at::tanh(at::matmul(x, w1_) + b1_).matmul(w2_) * fc;
    return {{"energy", at::zeros({graph.num_structures()}, x.options()).index_add(0, graph.edge_batch, per_edge)},
            {"dipole", at::zeros({graph.num_structures(), 3}, x.options())
                           .index_add(0, graph.edge_batch, x * per_edge.unsqueeze(1))}};
  }
  double cutoff() const override { return cutoff_; }
  std::string kind() const override { return "cartesian-mlp"; }

 private:
  double cutoff_;
  at::Tensor w1_, b1_, w2_;
};

inline models::Evaluation ecse_evaluate(models::Model& model, const data::Graph& graph) {
  return models::evaluate(model, graph, {});
}

}  // namespace eqt::testing
