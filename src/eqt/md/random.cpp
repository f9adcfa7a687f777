#include "eqt/md/random.h"

#include <cmath>

namespace eqt::md {

double GaussianSource::uniform_open() {
  // 53 random bits -> [0, 1), then flipped to (0, 1] so that log() below is finite.
  const double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  return 1.0 - u;
}

double GaussianSource::next() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double radius = std::sqrt(-2.0 * std::log(uniform_open()));
  const double angle = 2.0 * M_PI * uniform_open();
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

at::Tensor GaussianSource::normal(at::IntArrayRef shape) {
  at::Tensor out = at::empty(shape, at::kDouble);
  double* data = out.data_ptr<double>();
  for (int64_t k = 0; k < out.numel(); ++k) data[k] = next();
  return out;
}

}  // namespace eqt::md
