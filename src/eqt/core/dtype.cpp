#include "eqt/core/dtype.h"

#include "eqt/core/error.h"

namespace eqt {

c10::ScalarType parse_dtype(const std::string& name) {
  if (name == "float32" || name == "float") return c10::kFloat;
  if (name == "float64" || name == "double") return c10::kDouble;
  fail("unknown dtype '{}': expected float32 or float64", name);
}

std::string dtype_name(c10::ScalarType dtype) {
  if (dtype == c10::kFloat) return "float32";
  if (dtype == c10::kDouble) return "float64";
  fail("unsupported dtype {}: eqt works in float32 or float64", c10::toString(dtype));
}

}  // namespace eqt
