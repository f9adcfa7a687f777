#include "eqt/md/random.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "eqt/core/error.h"

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

std::string GaussianSource::save() const {
  uint64_t bits = 0;
  std::memcpy(&bits, &spare_, sizeof bits);
  std::ostringstream out;
  out << engine_ << ' ' << (has_spare_ ? 1 : 0) << ' ' << bits;
  return out.str();
}

void GaussianSource::restore(const std::string& text) {
  std::istringstream in(text);
  std::mt19937_64 engine;
  int has_spare = -1;
  uint64_t bits = 0;
  in >> engine >> has_spare >> bits;
  std::string rest;
  if (in.fail() || (has_spare != 0 && has_spare != 1) || (in >> rest)) {
    fail("not a random-number generator state: '{}...'", text.substr(0, 40));
  }
  engine_ = engine;
  has_spare_ = has_spare == 1;
  std::memcpy(&spare_, &bits, sizeof bits);
}

at::Tensor GaussianSource::normal(at::IntArrayRef shape) {
  at::Tensor out = at::empty(shape, at::kDouble);
  double* data = out.data_ptr<double>();
  for (int64_t k = 0; k < out.numel(); ++k) data[k] = next();
  return out;
}

}  // namespace eqt::md
