#pragma once
// Numerical equivariance check, like e3nn.util.test.equivariance_error: compares
// fn(g . inputs) with g . fn(inputs) for random g in O(3) (optionally with translations),
// transforming in float64. Used by the tests of every equivariant layer.
#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::so3 {

// How one argument or result of the tested function transforms under x -> R x + t.
struct Transform {
  enum class Kind {
    Features,         // [..., irreps.dim()]: x -> x @ irreps_D(R)^T (parity included)
    CartesianPoints,  // [..., 3] positions: x -> x @ R^T + t
    Invariant,        // left untouched (atom types, indices, cell-independent scalars...)
  };
  Kind kind = Kind::Invariant;
  Irreps irreps;

  Transform(const Irreps& features) : kind(Kind::Features), irreps(features) {}  // NOLINT
  Transform(const char* features) : Transform(Irreps(features)) {}                // NOLINT
  static Transform cartesian_points() { return Transform(Kind::CartesianPoints); }
  static Transform invariant() { return Transform(Kind::Invariant); }
  std::string str() const;

 private:
  explicit Transform(Kind k) : kind(k) {}
};

struct EquivarianceOptions {
  bool inversion = true;    // also draw improper rotations -R
  bool translation = true;  // also translate CartesianPoints arguments (when there are any)
  int trials = 2;           // random group elements per case (rotation/inversion x translation)
  uint64_t seed = 0;
  // Only for the overload that draws the inputs itself: leading size and dtype of each input.
  int64_t batch = 5;
  c10::ScalarType dtype = c10::kDouble;
};

struct EquivarianceError {
  double max_error = 0.0;         // max |fn(g x) - g fn(x)| over everything
  std::vector<double> per_output;  // the same, per result
  std::string worst_case;          // which result and which kind of g gave max_error
  std::string summary() const;     // one line per result, for failure messages
};

using TensorFunction = std::function<std::vector<at::Tensor>(const std::vector<at::Tensor>&)>;

// Errors are measured in float64; inputs are transformed in float64 and cast back to their own
// dtype. Throws eqt::Error when the numbers of tensors and transforms differ or a tensor's last
// dimension does not fit its transform.
EquivarianceError equivariance_error(const TensorFunction& fn, const std::vector<at::Tensor>& inputs,
                                     const std::vector<Transform>& transforms_in,
                                     const std::vector<Transform>& transforms_out,
                                     const EquivarianceOptions& options = {});

// Same with inputs drawn from a standard normal: [options.batch, dim] per Features input and
// [options.batch, 3] per CartesianPoints input (Invariant inputs cannot be drawn: throws).
EquivarianceError equivariance_error(const TensorFunction& fn, const std::vector<Transform>& transforms_in,
                                     const std::vector<Transform>& transforms_out,
                                     const EquivarianceOptions& options = {});

std::vector<at::Tensor> random_inputs(const std::vector<Transform>& transforms, int64_t batch,
                                      uint64_t seed, c10::ScalarType dtype = c10::kDouble);

// e3nn's default thresholds: 1e-3 for float32, 1e-9 for float64.
double default_equivariance_tolerance(c10::ScalarType dtype);

}  // namespace eqt::so3
