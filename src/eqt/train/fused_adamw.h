#pragma once
// AdamW (decoupled weight decay) with one pass over each parameter per step: LibTorch's AdamW
// runs eight tensor operations per parameter (decay, two moment updates, square root, division,
// addition, update), each a pass over memory and a dispatch; for PET's ~170 parameter tensors
// that was ~5 ms of a 70 ms training step on methane batches. Same formula, same state (moments
// and step count in AdamWParamState, so checkpoints are interchangeable with torch::optim::AdamW),
// results equal to rounding. A step with any parameter it has no kernel for (amsgrad, sparse,
// non-contiguous, other devices or dtypes) or with a closure takes LibTorch's path.
#include <torch/optim/adamw.h>

#include <vector>

namespace eqt::train {

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  using StateKey = decltype(state_)::key_type;
  torch::optim::AdamWParamState* state_of(const torch::Tensor& param);
  bool fusable(const torch::Tensor& param, const torch::optim::AdamWOptions& options);
  void fused_step(const torch::Tensor& param, const torch::optim::AdamWOptions& options);
};

}  // namespace eqt::train
