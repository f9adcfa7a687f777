#pragma once
// Test-only helpers for the eqf tests in this directory: a minimal reader for the F64 tensors
// of the reference weights.safetensors (the project's reader lives on another branch), and
// central finite differences used to check autograd first and second derivatives.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/module.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace eqt::testing {

// safetensors: u64 little-endian header size, JSON header {name: {dtype, shape, data_offsets}},
// then the raw data. Only F64 entries are returned (all parameters of the reference are F64).
inline std::map<std::string, at::Tensor> read_f64_safetensors(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  unsigned char size_bytes[8];
  in.read(reinterpret_cast<char*>(size_bytes), 8);
  uint64_t header_size = 0;
  for (int i = 7; i >= 0; --i) header_size = (header_size << 8) | size_bytes[i];
  std::string header(header_size, '\0');
  in.read(header.data(), static_cast<std::streamsize>(header_size));
  const auto meta = nlohmann::json::parse(header);
  const std::vector<char> data((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  std::map<std::string, at::Tensor> tensors;
  for (const auto& [name, info] : meta.items()) {
    if (name == "__metadata__" || info["dtype"] != "F64") continue;
    const auto shape = info["shape"].get<std::vector<int64_t>>();
    const auto begin = info["data_offsets"][0].get<std::size_t>();
    const auto end = info["data_offsets"][1].get<std::size_t>();
    auto t = at::empty(shape, at::TensorOptions().dtype(at::kDouble));
    if (static_cast<std::size_t>(t.numel()) * sizeof(double) != end - begin || end > data.size()) {
      throw std::runtime_error("inconsistent safetensors entry " + name);
    }
    std::memcpy(t.data_ptr<double>(), data.data() + begin, end - begin);
    tensors[name] = t;
  }
  return tensors;
}

// Copies `prefix + name` from `tensors` into every parameter and buffer of `module`, and checks
// the mapping is exact: each module tensor has a same-shaped entry, and every entry under the
// prefix is used. This is the state-dict compatibility the modules promise.
inline void load_exact(torch::nn::Module& module, const std::map<std::string, at::Tensor>& tensors,
                       const std::string& prefix) {
  std::size_t used = 0;
  at::NoGradGuard no_grad;
  const auto copy_named = [&](const std::string& name, at::Tensor& target) {
    const auto it = tensors.find(prefix + name);
    ASSERT_NE(it, tensors.end()) << "missing " << prefix << name;
    ASSERT_EQ(it->second.sizes(), target.sizes()) << prefix << name;
    target.copy_(it->second);
    ++used;
  };
  for (auto& item : module.named_parameters()) copy_named(item.key(), item.value());
  for (auto& item : module.named_buffers()) copy_named(item.key(), item.value());
  std::size_t expected = 0;
  for (const auto& entry : tensors) expected += entry.first.rfind(prefix, 0) == 0 ? 1 : 0;
  EXPECT_EQ(used, expected) << "entries under '" << prefix << "' left unused";
}

// d f(x) / dx for scalar-valued-per-element f: returns the autograd derivative of
// sum(f(x) * probe) with respect to x, optionally keeping the graph for a second derivative.
inline at::Tensor autograd_derivative(const std::function<at::Tensor(const at::Tensor&)>& f,
                                      const at::Tensor& x, const at::Tensor& probe,
                                      bool create_graph = false) {
  const auto out = (f(x) * probe).sum();
  return torch::autograd::grad({out}, {x}, {}, /*retain_graph=*/true, create_graph)[0];
}

// Central difference of g (a tensor-valued function of x) along every element of x:
// result has x's shape and holds sum(g(x + h e_i) - g(x - h e_i)) * ... contracted with probe.
inline at::Tensor finite_difference(const std::function<at::Tensor(const at::Tensor&)>& g,
                                    const at::Tensor& x, const at::Tensor& probe, double h) {
  auto x0 = x.detach().clone();
  auto result = at::zeros_like(x0);
  auto flat = x0.view({-1});
  auto flat_result = result.view({-1});
  for (int64_t i = 0; i < flat.numel(); ++i) {
    const double saved = flat[i].item<double>();
    flat[i] = saved + h;
    const double plus = (g(x0) * probe).sum().item<double>();
    flat[i] = saved - h;
    const double minus = (g(x0) * probe).sum().item<double>();
    flat[i] = saved;
    flat_result[i] = (plus - minus) / (2.0 * h);
  }
  return result;
}

}  // namespace eqt::testing
