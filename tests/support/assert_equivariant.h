#pragma once
// GoogleTest glue for eqt::so3::equivariance_error:
//   EXPECT_TRUE(eqt::testing::is_equivariant(fn, inputs, {"8x0e+4x1o", Transform::cartesian_points()},
//                                            {"8x0e+4x1o"}));
//   EQT_EXPECT_EQUIVARIANT(fn, inputs, transforms_in, transforms_out);
// The tolerance defaults to e3nn's (1e-9 in float64, 1e-3 in float32, from the inputs' dtype).
#include <gtest/gtest.h>

#include <vector>

#include "eqt/so3/equivariance.h"

namespace eqt::testing {

inline double tolerance_for(const std::vector<at::Tensor>& inputs, double tolerance) {
  if (tolerance > 0.0) return tolerance;
  for (const auto& x : inputs) {
    if (x.defined() && at::isFloatingType(x.scalar_type())) {
      return so3::default_equivariance_tolerance(x.scalar_type());
    }
  }
  return so3::default_equivariance_tolerance(at::kDouble);
}

inline ::testing::AssertionResult is_equivariant(const so3::TensorFunction& fn, const std::vector<at::Tensor>& inputs,
                                                 const std::vector<so3::Transform>& transforms_in,
                                                 const std::vector<so3::Transform>& transforms_out,
                                                 double tolerance = 0.0,
                                                 const so3::EquivarianceOptions& options = {}) {
  const double limit = tolerance_for(inputs, tolerance);
  const auto error = so3::equivariance_error(fn, inputs, transforms_in, transforms_out, options);
  if (error.max_error < limit) {  // false for NaN
    return ::testing::AssertionSuccess() << error.summary();
  }
  return ::testing::AssertionFailure() << "not equivariant within " << limit << ": " << error.summary();
}

}  // namespace eqt::testing

#define EQT_EXPECT_EQUIVARIANT(...) EXPECT_TRUE(::eqt::testing::is_equivariant(__VA_ARGS__))
#define EQT_ASSERT_EQUIVARIANT(...) ASSERT_TRUE(::eqt::testing::is_equivariant(__VA_ARGS__))
