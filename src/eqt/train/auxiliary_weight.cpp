#include "eqt/train/auxiliary_weight.h"

#include <algorithm>

namespace eqt::train {

double auxiliary_weight(double initial, double final_weight, int64_t step, int64_t total_steps) {
  const double span = std::max(0.0, initial - final_weight);
  const double progress =
      total_steps > 0 ? std::min(1.0, static_cast<double>(step + 1) / static_cast<double>(total_steps)) : 1.0;
  return initial - span * progress;
}

}  // namespace eqt::train
