#pragma once
// ECSE, Equivariant Coordinate System Ensemble (Pozdnyakov & Ceriotti, NeurIPS 2023): makes ANY
// model exactly rotation invariant (energies) / equivariant (vector outputs). The backbone is
// evaluated on copies of each structure expressed in the coordinate frames of its atomic
// environments (frame_set.h), and the outputs are averaged with smooth frame weights:
//   E = (sum_f w_f E(r R_f) + w_aux E_aux(r)) / (sum_f w_f + w_aux),
// with w_aux and E_aux only when a fallback model is given (it takes over smoothly where no
// non-collinear neighbour pair exists, e.g. linear molecules). The frames of all structures go
// through the backbone in batched calls of at most max_atoms_per_call copy-atoms (and
// max_frames_per_call frames), and everything is differentiable, so models::evaluate gives
// forces / stress through frames and weights. For inference (no create_graph) evaluate uses
// forward_with_gradients, which backpropagates each call at once and frees its graph, so the
// memory is that of one call, not of all frames.
//
// Outputs: every floating per-structure ([B] or [B, 3]) and per-atom ([N] or [N, 3]) output of
// the backbone, averaged; [.., 3] outputs are rotated back (v R^T) before averaging.
#include <ATen/ATen.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "eqt/models/ecse/frame_chunks.h"
#include "eqt/models/ecse/frame_set.h"
#include "eqt/models/ecse/hypers.h"
#include "eqt/models/model.h"
#include "eqt/models/piecewise_gradient.h"

namespace eqt::models::ecse {

struct EcseOptions {
  EcseHypers hypers;
  int64_t max_frames_per_call = 0;  // 0: no limit on frames per backbone call
  // Budget of copy-atoms (frames x atoms of their structures) per backbone call; 0: no limit.
  int64_t max_atoms_per_call = kDefaultMaxAtomsPerCall;
};

// Detached summary of the frames of the last forward call.
struct EcseDiagnostics {
  at::Tensor frames_per_structure;  // int64 [B]
  at::Tensor frames_per_atom;       // int64 [N]
  at::Tensor total_weight;          // [B]
  at::Tensor weight_aux;            // [B]
};

class EcseModel : public Model, public PiecewiseDifferentiable {
 public:
  // fallback may be null; then a structure without any frame is an eqt::Error. The fallback must
  // use the backbone's cutoff (both see the same graph).
  EcseModel(std::shared_ptr<Model> backbone, std::shared_ptr<Model> fallback = nullptr, EcseOptions options = {});

  Outputs forward(const data::Graph& graph) override;
  // Same outputs as forward (detached) and the gradient of the energy, one backbone call at a time
  // (ecse_gradients.cpp).
  PiecewiseGradients forward_with_gradients(const data::Graph& graph, const std::string& energy_key) override;
  double cutoff() const override { return backbone_->cutoff(); }
  std::string kind() const override { return "ecse(" + backbone_->kind() + ")"; }
  // Exact rotations by the frame average; inversion only as far as the backbone and frames go.
  ExactSymmetries exact_symmetries() const override { return {true, false}; }

  // The frames ECSE would average over for this graph (differentiable).
  FrameSet frames(const data::Graph& graph) const;
  const EcseDiagnostics& last_diagnostics() const { return diagnostics_; }
  const EcseOptions& options() const { return options_; }
  Model& backbone() { return *backbone_; }
  const Model& backbone() const { return *backbone_; }
  const Model* fallback() const { return fallback_.get(); }

 private:
  struct Sum {
    at::Tensor value;  // weighted sum, [B, ...] or [N, ...]
    bool per_atom;
  };
  using Sums = std::map<std::string, Sum>;

  void add_frames(const data::Graph& graph, const FrameSet& set, int64_t begin, int64_t end, Sums& sums);
  void add_fallback(const data::Graph& graph, const at::Tensor& weight_aux, Sums& sums);
  void check_coverage(const FrameSet& set) const;
  // Sets diagnostics_, checks coverage; the frames and the chunk bounds of the backbone calls.
  FrameSet prepare_frames(const data::Graph& graph, std::vector<int64_t>& chunks);
  // The averages sum / denominator of every output.
  Outputs normalise(const Sums& sums, const at::Tensor& denominator, const data::Graph& graph) const;

  std::shared_ptr<Model> backbone_;
  std::shared_ptr<Model> fallback_;
  EcseOptions options_;
  EcseDiagnostics diagnostics_;
};

}  // namespace eqt::models::ecse
