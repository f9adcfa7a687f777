#pragma once
// Copies between numpy arrays and ATen tensors, so that Python needs numpy but never torch
// (handing tensors to Python would require `import torch` first, and a matching PyTorch).
#include <ATen/ATen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

namespace eqt::python {

namespace py = pybind11;

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using IntArray = py::array_t<int64_t, py::array::c_style | py::array::forcecast>;

// A float64 copy with the array's shape; `name` and `expected` (e.g. "[N, 3]") describe the
// argument in the error message when `shape` (-1 = any extent) does not match.
at::Tensor tensor_from_numpy(const DoubleArray& array, const std::vector<int64_t>& shape, const std::string& name,
                             const std::string& expected);

std::vector<int64_t> vector_from_numpy(const IntArray& array, const std::string& name);

// A new float64 array with the tensor's shape and values (any floating dtype, CPU).
py::array_t<double> numpy_from_tensor(const at::Tensor& tensor);

}  // namespace eqt::python
