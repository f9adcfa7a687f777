#pragma once
// Floating-point precision chosen by the user ("float32" / "float64").
#include <c10/core/ScalarType.h>

#include <string>

namespace eqt {

c10::ScalarType parse_dtype(const std::string& name);
std::string dtype_name(c10::ScalarType dtype);

}  // namespace eqt
