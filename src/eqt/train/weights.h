#pragma once
// Whole-model weight operations used by training: copying between two models of the same
// architecture (EMA, export with a different normalisation) and the EMA update.
#include "eqt/models/model.h"

namespace eqt::train {

// dst <- src for every parameter and buffer (same names and shapes; throws otherwise).
void copy_weights(const models::Model& src, models::Model& dst);
// ema <- decay * ema + (1 - decay) * model, parameters; buffers are copied.
void ema_update(models::Model& ema, const models::Model& model, double decay);

// Scales all gradients by min(1, max_norm / total L2 norm), as torch.nn.utils.clip_grad_norm_;
// returns the norm before clipping.
double clip_gradient_norm(models::Model& model, double max_norm);
// The L2 norm of all gradients together (NaN or Inf when any component is); one device sync.
double gradient_norm(const models::Model& model);
// True when every parameter value is finite (buffers may hold infinities by design, e.g. masks).
bool weights_finite(const models::Model& model);

}  // namespace eqt::train
