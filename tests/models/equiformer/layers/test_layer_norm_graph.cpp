// Per-graph equivariant norms (EquivariantInstanceNorm 'instance', EquivariantGraphNorm 'graph')
// against a loop evaluation, with two graphs in one batch.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/graph_norm.h"
#include "support/reference.h"
#include "test_layer_norm_reference.h"
#include "support/radial_helpers.h"

namespace eqt::models::equiformer {
namespace {

const so3::Irreps kGraphIrreps("3x0e+2x1o+2x2e+2x0e");
using testing::kF64;
const std::vector<int64_t> kBatch = {0, 0, 0, 1, 1, 1, 1};

at::Tensor batch_tensor() { return at::tensor(kBatch, at::TensorOptions().dtype(at::kLong)); }

void perturb(torch::nn::Module& module) {
  at::NoGradGuard no_grad;
  for (auto& item : module.named_parameters())
    item.value().add_(0.3 * at::randn_like(item.value()));
}

testing::NormSpec spec_of(const AffineEquivariantNorm& norm) {
  testing::NormSpec spec;
  spec.scope = testing::StatScope::Graph;
  spec.weight = testing::to_std_vector(norm.affine_weight);
  spec.bias = testing::to_std_vector(norm.affine_bias);
  return spec;
}

TEST(LayerNormGraph, InstanceNormMatchesLoopEvaluation) {
  at::manual_seed(10);
  EquivariantInstanceNorm norm(kGraphIrreps, 1e-5, true, GraphReduce::Mean, NormNormalization::Component,
                               at::kDouble);
  perturb(norm);
  const auto x = 1.5 * at::randn({7, kGraphIrreps.dim()}, kF64) + 0.4;
  const auto expected = testing::reference_norm(x, kGraphIrreps, kBatch, spec_of(norm));
  EXPECT_LT(testing::max_abs_diff(norm.forward(x, batch_tensor()), expected), 1e-13);
}

TEST(LayerNormGraph, InstanceNormMaxReduce) {
  at::manual_seed(11);
  EquivariantInstanceNorm norm(kGraphIrreps, 1e-5, true, GraphReduce::Max, NormNormalization::Component,
                               at::kDouble);
  perturb(norm);
  const auto x = at::randn({7, kGraphIrreps.dim()}, kF64);
  auto spec = spec_of(norm);
  spec.use_max = true;
  EXPECT_LT(testing::max_abs_diff(norm.forward(x, batch_tensor()),
                                  testing::reference_norm(x, kGraphIrreps, kBatch, spec)),
            1e-13);
}

TEST(LayerNormGraph, GraphNormMatchesLoopEvaluation) {
  at::manual_seed(12);
  EquivariantGraphNorm norm(kGraphIrreps, 1e-5, true, GraphReduce::Mean, NormNormalization::Component,
                            at::kDouble);
  std::set<std::string> names;
  for (const auto& item : norm.named_parameters()) names.insert(item.key());
  EXPECT_EQ(names, (std::set<std::string>{"mean_shift", "affine_weight", "affine_bias"}));
  EXPECT_EQ(norm.mean_shift.size(0), 5);
  EXPECT_EQ(norm.affine_weight.size(0), kGraphIrreps.num_irreps());
  perturb(norm);
  const auto x = at::randn({7, kGraphIrreps.dim()}, kF64) - 0.8;
  auto spec = spec_of(norm);
  spec.mean_shift = testing::to_std_vector(norm.mean_shift);
  EXPECT_LT(testing::max_abs_diff(norm.forward(x, batch_tensor()),
                                  testing::reference_norm(x, kGraphIrreps, kBatch, spec)),
            1e-13);
}

TEST(LayerNormGraph, GraphsDoNotInfluenceEachOtherAndAreEquivariant) {
  at::manual_seed(13);
  EquivariantGraphNorm norm(kGraphIrreps, 1e-5, true, GraphReduce::Mean, NormNormalization::Component,
                            at::kDouble);
  perturb(norm);
  const auto x = at::randn({7, kGraphIrreps.dim()}, kF64);
  auto changed = x.clone();
  changed.narrow(0, 3, 4).mul_(5.0).add_(1.0);
  const auto y = norm.forward(x, batch_tensor());
  EXPECT_LT(testing::max_abs_diff(norm.forward(changed, batch_tensor()).narrow(0, 0, 3),
                                  y.narrow(0, 0, 3)),
            1e-15);
  const auto q = testing::random_orthogonal_by_l(2);
  EXPECT_LT(
      testing::max_abs_diff(norm.forward(testing::transform_copies(x, kGraphIrreps, q), batch_tensor()),
                            testing::transform_copies(y, kGraphIrreps, q)),
      1e-13);
}

TEST(LayerNormGraph, Float32AndBatchChecks) {
  at::manual_seed(14);
  EquivariantInstanceNorm n32(kGraphIrreps);
  EquivariantInstanceNorm n64(kGraphIrreps, 1e-5, true, GraphReduce::Mean, NormNormalization::Component,
                              at::kDouble);
  const auto x = at::randn({7, kGraphIrreps.dim()}, kF64);
  const auto y = n32.forward(x.to(at::kFloat), batch_tensor());
  EXPECT_EQ(y.scalar_type(), at::kFloat);
  EXPECT_LT(testing::max_abs_diff(y.to(at::kDouble), n64.forward(x, batch_tensor())), 1e-5);
  EXPECT_THROW(n32.forward(x.to(at::kFloat), at::Tensor()), eqt::Error);
  EXPECT_THROW(n32.forward(x.to(at::kFloat), at::zeros({6}, at::kLong)), eqt::Error);
  EXPECT_THROW(n32.forward(x.to(at::kFloat), at::zeros({7}, at::kInt)), eqt::Error);
}

}  // namespace
}  // namespace eqt::models::equiformer
