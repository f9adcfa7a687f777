#include "numpy_tensor.h"

#include <cstring>

#include "eqt/core/error.h"

namespace eqt::python {
namespace {

bool shape_matches(const py::array& array, const std::vector<int64_t>& shape) {
  if (array.ndim() != static_cast<py::ssize_t>(shape.size())) return false;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] >= 0 && array.shape(static_cast<py::ssize_t>(d)) != shape[d]) return false;
  }
  return true;
}

std::string shape_text(const py::array& array) {
  std::string text;
  for (py::ssize_t d = 0; d < array.ndim(); ++d) text += (d ? ", " : "") + std::to_string(array.shape(d));
  return "[" + text + "]";
}

}  // namespace

at::Tensor tensor_from_numpy(const DoubleArray& array, const std::vector<int64_t>& shape, const std::string& name,
                             const std::string& expected) {
  if (!shape_matches(array, shape)) fail("{} must have shape {}, not {}", name, expected, shape_text(array));
  std::vector<int64_t> sizes(array.shape(), array.shape() + array.ndim());
  return at::from_blob(const_cast<double*>(array.data()), sizes, at::kDouble).clone();
}

std::vector<int64_t> vector_from_numpy(const IntArray& array, const std::string& name) {
  if (array.ndim() != 1) fail("{} must be one-dimensional, not of shape {}", name, shape_text(array));
  return std::vector<int64_t>(array.data(), array.data() + array.size());
}

py::array_t<double> numpy_from_tensor(const at::Tensor& tensor) {
  const at::Tensor values = tensor.detach().to(at::kDouble).contiguous();
  py::array_t<double> array(std::vector<py::ssize_t>(values.sizes().begin(), values.sizes().end()));
  if (values.numel() > 0) {
    std::memcpy(array.mutable_data(), values.data_ptr<double>(), sizeof(double) * values.numel());
  }
  return array;
}

}  // namespace eqt::python
