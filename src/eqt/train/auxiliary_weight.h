#pragma once
// The loss weight of OC20's IS2RS auxiliary task over a run (targets.relaxed_positions): it
// decays linearly from the initial weight w0 to the final weight w1 over the run's steps, as in
// the official IS2RE + IS2RS trainer (equiformer @64cb786, config auxiliary_task_weight 15,
// floor 1):
//   w(s) = w0 - max(0, w0 - w1) * min(1, s / total_steps)
// where s counts the optimiser step being taken from 1 (the official trainer advances its step
// before the forward pass), so the first step already sees a little decay and the last one w1.
// A final weight above the initial one leaves the weight constant (the max(0, ...)), as there.
// total_steps is steps per epoch x training.epochs, like the learning-rate schedule, so that a
// run stopped by max_steps / max_minutes and resumed sees the same weights.
#include <cstdint>

namespace eqt::train {

// `step` is the number of optimiser steps already done (TrainingState::step); the weight is the
// one of the step about to be taken.
double auxiliary_weight(double initial, double final_weight, int64_t step, int64_t total_steps);

}  // namespace eqt::train
