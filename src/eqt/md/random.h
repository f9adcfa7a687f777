#pragma once
// Seeded Gaussian random numbers for MD (initial velocities, Langevin noise). A Mersenne twister
// with our own Box-Muller transform, so that a seed gives the same trajectory with any standard
// library and any LibTorch version.
#include <ATen/ATen.h>

#include <cstdint>
#include <random>
#include <string>

namespace eqt::md {

class GaussianSource {
 public:
  explicit GaussianSource(uint64_t seed) : engine_(seed) {}
  double next();
  // float64 tensor of independent standard normal numbers.
  at::Tensor normal(at::IntArrayRef shape);
  // The whole generator state as text (the engine's standard text form and the spare number's
  // bits), for MD restart files: restore(save()) continues the very same sequence.
  std::string save() const;
  // Fails (eqt::Error) on text that save() did not write.
  void restore(const std::string& text);

 private:
  double uniform_open();  // in (0, 1]
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace eqt::md
