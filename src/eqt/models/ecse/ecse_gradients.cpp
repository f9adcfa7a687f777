// EcseModel::forward_with_gradients: the energy and its gradient one backbone call at a time.
// E = sum_k P_k with P_k = (sum_{f in chunk k} w_f E_f(r R_f)) / D (+ the fallback part). Each
// chunk sees the frame weights, rotations and D as detached leaves, so its backward stops there
// and its graph (the bulk of the memory) is freed at once; the gradients collected on those
// leaves are pushed through the (small) frame-set graph once at the end. The sum is the same as
// forward's up to the order of floating-point additions.
#include <torch/csrc/autograd/autograd.h>

#include "eqt/core/error.h"
#include "eqt/models/ecse/ecse_model.h"

namespace eqt::models::ecse {
namespace {

at::Tensor leaf(const at::Tensor& t) { return t.detach().requires_grad_(true); }

// Gradients with respect to a fixed list of leaves, summed over parts.
struct Accumulator {
  std::vector<at::Tensor> leaves, sums;

  explicit Accumulator(std::vector<at::Tensor> l) : leaves(std::move(l)), sums(leaves.size()) {}

  void add(const at::Tensor& scalar) {
    const auto grads = torch::autograd::grad({scalar}, leaves, {}, /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);
    for (std::size_t k = 0; k < grads.size(); ++k) {
      if (!grads[k].defined()) continue;
      sums[k] = sums[k].defined() ? sums[k] + grads[k] : grads[k];
    }
  }
  at::Tensor get(std::size_t k) const { return sums[k].defined() ? sums[k] : at::zeros_like(leaves[k]); }
};

void add_detached(Outputs& into, const Outputs& part) {
  for (const auto& [key, value] : part) {
    auto it = into.find(key);
    if (it == into.end()) into.emplace(key, value.detach());
    else it->second = it->second + value.detach();
  }
}

}  // namespace

PiecewiseGradients EcseModel::forward_with_gradients(const data::Graph& graph, const std::string& energy_key) {
  at::AutoGradMode enable_grad(true);
  data::Graph g = graph;
  g.positions = leaf(graph.positions);
  g.cell = leaf(graph.cell);
  std::vector<int64_t> chunks;
  const FrameSet set = prepare_frames(g, chunks);
  const at::Tensor denominator = fallback_ ? set.total_weight + set.weight_aux : set.total_weight;

  FrameSet detached = set;
  detached.weights = leaf(set.weights);
  detached.rotations = leaf(set.rotations);
  const at::Tensor d = leaf(denominator), weight_aux = leaf(set.weight_aux);
  enum { kPositions, kCell, kWeights, kRotations, kDenominator, kAux };
  Accumulator grads({g.positions, g.cell, detached.weights, detached.rotations, d, weight_aux});

  Outputs out;
  Sums seen;  // zero sums of the backbone's outputs, so the fallback adds to the same keys as forward
  const auto add_part = [&](const Sums& sums) {
    const Outputs part = normalise(sums, d, g);
    const auto energy = part.find(energy_key);
    if (energy != part.end()) grads.add(energy->second.sum());
    add_detached(out, part);
    for (const auto& [key, sum] : sums) seen.emplace(key, Sum{at::zeros_like(sum.value).detach(), sum.per_atom});
  };
  for (std::size_t k = 0; k + 1 < chunks.size(); ++k) {
    Sums sums;
    add_frames(g, detached, chunks[k], chunks[k + 1], sums);
    add_part(sums);
  }
  if (fallback_ && (set.weight_aux > 0).any().item<bool>()) {
    Sums sums = seen;
    add_fallback(g, weight_aux, sums);
    add_part(sums);
  }
  if (!out.count("energy")) fail("ECSE: the backbone ({}) gives no \"energy\" output", backbone_->kind());

  // Through the frame set: weights, rotations, denominator and fallback weight depend on positions.
  std::vector<at::Tensor> roots, seeds;
  const std::pair<at::Tensor, int> frame_set_outputs[] = {
      {set.weights, kWeights}, {set.rotations, kRotations}, {denominator, kDenominator}, {set.weight_aux, kAux}};
  for (const auto& [root, index] : frame_set_outputs) {
    if (!root.requires_grad() || !grads.sums[static_cast<std::size_t>(index)].defined()) continue;
    roots.push_back(root);
    seeds.push_back(grads.sums[static_cast<std::size_t>(index)]);
  }
  at::Tensor d_positions = grads.get(kPositions), d_cell = grads.get(kCell);
  if (!roots.empty()) {
    const auto through = torch::autograd::grad(roots, {g.positions, g.cell}, seeds, false, false, true);
    if (through[0].defined()) d_positions = d_positions + through[0];
    if (through[1].defined()) d_cell = d_cell + through[1];
  }
  return {out, d_positions, d_cell};
}

}  // namespace eqt::models::ecse
