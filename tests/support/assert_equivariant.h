#pragma once
// GoogleTest glue for eqt::so3::equivariance_error:
//   EXPECT_TRUE(eqt::testing::is_equivariant(fn, inputs, {"8x0e+4x1o", Transform::cartesian_points()},
//                                            {"8x0e+4x1o"}));
//   EQT_EXPECT_EQUIVARIANT(fn, inputs, transforms_in, transforms_out);
// The tolerance defaults to e3nn's (1e-9 in float64, 1e-3 in float32, from the inputs' dtype).
// A function whose outputs are (nearly) zero is trivially equivariant, so, like e3nn's
// assert_normalized, the outputs for the given inputs must also be of a sensible size: every
// floating-point output's root mean square must reach min_output_rms (default 1e-3, far below the
// ~1 that normalised layers give standard-normal inputs, far above rounding noise).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "eqt/so3/equivariance.h"

namespace eqt::testing {

inline constexpr double kDefaultMinOutputRms = 1e-3;

inline double tolerance_for(const std::vector<at::Tensor>& inputs, double tolerance) {
  if (tolerance > 0.0) return tolerance;
  for (const auto& x : inputs) {
    if (x.defined() && at::isFloatingType(x.scalar_type())) {
      return so3::default_equivariance_tolerance(x.scalar_type());
    }
  }
  return so3::default_equivariance_tolerance(at::kDouble);
}

// Root mean square of each floating-point output of fn(inputs), in float64 (NaN for the others).
inline std::vector<double> output_rms(const so3::TensorFunction& fn, const std::vector<at::Tensor>& inputs) {
  std::vector<double> rms;
  for (const auto& y : fn(inputs)) {
    const bool floating = y.defined() && at::isFloatingType(y.scalar_type()) && y.numel() > 0;
    rms.push_back(floating ? y.detach().to(at::kDouble).square().mean().sqrt().item<double>() : std::nan(""));
  }
  return rms;
}

inline ::testing::AssertionResult is_equivariant(const so3::TensorFunction& fn, const std::vector<at::Tensor>& inputs,
                                                 const std::vector<so3::Transform>& transforms_in,
                                                 const std::vector<so3::Transform>& transforms_out,
                                                 double tolerance = 0.0,
                                                 const so3::EquivarianceOptions& options = {},
                                                 double min_output_rms = kDefaultMinOutputRms) {
  const double limit = tolerance_for(inputs, tolerance);
  const auto error = so3::equivariance_error(fn, inputs, transforms_in, transforms_out, options);
  if (!(error.max_error < limit)) {  // NaN fails too
    return ::testing::AssertionFailure() << "not equivariant within " << limit << ": " << error.summary();
  }
  const auto rms = output_rms(fn, inputs);
  for (std::size_t i = 0; i < rms.size(); ++i) {
    if (!std::isnan(rms[i]) && rms[i] < min_output_rms) {
      return ::testing::AssertionFailure()
             << "output " << i << " is (nearly) zero for the given inputs (root mean square " << rms[i] << " < "
             << min_output_rms << "): a trivially zero output is equivariant whatever the function does; "
             << error.summary();
    }
  }
  return ::testing::AssertionSuccess() << error.summary();
}

}  // namespace eqt::testing

#define EQT_EXPECT_EQUIVARIANT(...) EXPECT_TRUE(::eqt::testing::is_equivariant(__VA_ARGS__))
#define EQT_ASSERT_EQUIVARIANT(...) ASSERT_TRUE(::eqt::testing::is_equivariant(__VA_ARGS__))
