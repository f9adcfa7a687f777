#include "eqt/models/ecse/ecse_model.h"

#include <algorithm>

#include "eqt/core/error.h"
#include "eqt/models/ecse/rotated_copies.h"

namespace eqt::models::ecse {
namespace {

// Weighted contribution of one output to a sum over `size` rows. rows: int64 [M] target row of
// each entry; weight [M]; rotation [M, 3, 3] or undefined (no rotation back). Undefined result
// for outputs that are neither scalars nor 3-vectors per row.
at::Tensor weighted(const at::Tensor& value, const at::Tensor& rows, const at::Tensor& weight,
                    const at::Tensor& rotation, int64_t size) {
  if (value.dim() == 1) {
    return at::zeros({size}, value.options()).index_add(0, rows, value * weight);
  }
  if (value.dim() == 2 && value.size(1) == 3) {
    // A vector predicted in frame R corresponds to v R^T in the input orientation.
    const at::Tensor back = rotation.defined() ? at::bmm(value.unsqueeze(1), rotation.transpose(1, 2)).squeeze(1)
                                               : value;
    return at::zeros({size, 3}, value.options()).index_add(0, rows, back * weight.unsqueeze(1));
  }
  return {};
}

void accumulate(std::map<std::string, at::Tensor>& into, const std::string& key, const at::Tensor& value) {
  if (!value.defined()) return;
  auto it = into.find(key);
  if (it == into.end()) into.emplace(key, value);
  else it->second = it->second + value;
}

}  // namespace

EcseModel::EcseModel(std::shared_ptr<Model> backbone, std::shared_ptr<Model> fallback, EcseOptions options)
    : backbone_(std::move(backbone)), fallback_(std::move(fallback)), options_(std::move(options)) {
  if (!backbone_) fail("ECSE: a backbone model is required");
  // ECSE's frames and graphs follow ASE's symmetric neighbour lists; OC20's truncated slab graph
  // (and a relaxed-energy target) has no place in it.
  if (backbone_->graph_rule().kind != data::GraphRule::Kind::Ase) {
    fail("ECSE: a {} backbone is built on the OC20 graph rule, which ECSE does not support", backbone_->kind());
  }
  register_module("backbone", backbone_);
  if (fallback_) {
    if (fallback_->cutoff() != backbone_->cutoff()) {
      fail("ECSE: fallback cutoff {} differs from the backbone cutoff {}", fallback_->cutoff(), backbone_->cutoff());
    }
    register_module("fallback", fallback_);
  }
}

FrameSet EcseModel::frames(const data::Graph& graph) const {
  return compute_frames(graph, std::min(backbone_->cutoff(), options_.hypers.r_cut_outer_upper_bound),
                        options_.hypers);
}

void EcseModel::check_coverage(const FrameSet& set) const {
  if (fallback_) return;
  const at::Tensor empty = (set.frames_per_structure == 0).nonzero().view(-1).cpu();
  if (empty.numel() > 0) {
    fail("ECSE: structure {} has no non-collinear pair of neighbours (no coordinate frame); "
         "give EcseModel a fallback model", empty[0].item<int64_t>());
  }
}

void EcseModel::add_frames(const data::Graph& graph, const FrameSet& set, int64_t begin, int64_t end, Sums& sums) {
  const at::Tensor rotations = set.rotations.slice(0, begin, end);
  const at::Tensor weights = set.weights.slice(0, begin, end);
  const RotatedCopies copies = rotated_copies(graph, rotations, set.structure.slice(0, begin, end));
  const Outputs outputs = backbone_->forward(copies.graph);
  const int64_t frames = end - begin, atoms = copies.graph.num_atoms();
  const at::Tensor structure = set.structure.slice(0, begin, end).to(graph.positions.device());
  std::map<std::string, at::Tensor> per_structure, per_atom;
  for (const auto& [key, value] : outputs) {
    if (!value.defined() || !value.is_floating_point() || value.dim() == 0) continue;
    if (value.size(0) == frames) {
      accumulate(per_structure, key, weighted(value, structure, weights, rotations, graph.num_structures()));
    } else if (value.size(0) == atoms) {
      const at::Tensor frame = copies.graph.batch;
      accumulate(per_atom, key, weighted(value, copies.atom_source, weights.index_select(0, frame),
                                         rotations.index_select(0, frame), graph.num_atoms()));
    }
  }
  for (auto& [key, value] : per_structure) {
    auto it = sums.find(key);
    if (it == sums.end()) sums.emplace(key, Sum{value, false});
    else it->second.value = it->second.value + value;
  }
  for (auto& [key, value] : per_atom) {
    if (per_structure.count(key)) continue;
    auto it = sums.find(key);
    if (it == sums.end()) sums.emplace(key, Sum{value, true});
    else it->second.value = it->second.value + value;
  }
}

void EcseModel::add_fallback(const data::Graph& graph, const at::Tensor& weight_aux, Sums& sums) {
  const Outputs outputs = fallback_->forward(graph);
  const bool no_frames = sums.empty();
  const at::Tensor structures = at::arange(graph.num_structures(), graph.batch.options());
  const at::Tensor atoms = at::arange(graph.num_atoms(), graph.batch.options());
  for (const auto& [key, value] : outputs) {
    if (!value.defined() || !value.is_floating_point() || value.dim() == 0) continue;
    auto it = sums.find(key);
    if (it == sums.end() && !no_frames) continue;  // only outputs the backbone also gives
    const bool per_atom = it != sums.end() ? it->second.per_atom : value.size(0) != graph.num_structures();
    const at::Tensor rows = per_atom ? atoms : structures;
    const at::Tensor w = per_atom ? weight_aux.index_select(0, graph.batch) : weight_aux;
    if (value.size(0) != rows.size(0)) continue;
    const at::Tensor contribution = weighted(value, rows, w, at::Tensor(), rows.size(0));
    if (!contribution.defined()) continue;
    if (it == sums.end()) sums.emplace(key, Sum{contribution, per_atom});
    else it->second.value = it->second.value + contribution;
  }
}

FrameSet EcseModel::prepare_frames(const data::Graph& graph, std::vector<int64_t>& chunks) {
  FrameSet set = frames(graph);
  diagnostics_ = {set.frames_per_structure.detach(), set.frames_per_atom.detach(), set.total_weight.detach(),
                  set.weight_aux.detach()};
  check_coverage(set);
  chunks = frame_chunks(set.structure, graph.ptr, options_.max_frames_per_call, options_.max_atoms_per_call);
  return set;
}

Outputs EcseModel::normalise(const Sums& sums, const at::Tensor& denominator, const data::Graph& graph) const {
  Outputs out;
  for (const auto& [key, sum] : sums) {
    at::Tensor d = sum.per_atom ? denominator.index_select(0, graph.batch) : denominator;
    if (sum.value.dim() == 2) d = d.unsqueeze(1);
    out.emplace(key, sum.value / d);
  }
  return out;
}

Outputs EcseModel::forward(const data::Graph& graph) {
  std::vector<int64_t> chunks;
  const FrameSet set = prepare_frames(graph, chunks);
  Sums sums;
  for (std::size_t k = 0; k + 1 < chunks.size(); ++k) add_frames(graph, set, chunks[k], chunks[k + 1], sums);

  at::Tensor denominator = set.total_weight;
  if (fallback_) {
    denominator = denominator + set.weight_aux;
    // A weight of exactly zero (the usual case) contributes nothing: skip the extra call.
    if ((set.weight_aux > 0).any().item<bool>()) add_fallback(graph, set.weight_aux, sums);
  }
  Outputs out = normalise(sums, denominator, graph);
  if (!out.count("energy")) fail("ECSE: the backbone ({}) gives no \"energy\" output", backbone_->kind());
  return out;
}

}  // namespace eqt::models::ecse
