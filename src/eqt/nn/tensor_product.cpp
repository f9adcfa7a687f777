#include "eqt/nn/tensor_product.h"

#include <ATen/ExpandUtils.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "eqt/core/error.h"

namespace eqt::nn {
namespace {

const std::vector<std::string> kModes{"uvw", "uvu", "uvv", "uuw", "uuu"};

void check_options(const TensorProductOptions& options) {
  const auto& irrep = options.irrep_normalization;
  const auto& path = options.path_normalization;
  if (irrep != "component" && irrep != "norm" && irrep != "none") {
    fail("TensorProduct: irrep_normalization must be component, norm or none, not '{}'", irrep);
  }
  if (path != "element" && path != "path" && path != "none") {
    fail("TensorProduct: path_normalization must be element, path or none, not '{}'", path);
  }
  if (!options.shared_weights && options.internal_weights.value_or(false)) {
    fail("TensorProduct: internal weights are necessarily shared (shared_weights = false given)");
  }
}

void validate(const TensorProductInstruction& ins, const so3::Irreps& in1, const so3::Irreps& in2,
              const so3::Irreps& out) {
  const auto outside = [](int i, const so3::Irreps& irreps) {
    return i < 0 || i >= static_cast<int>(irreps.size());
  };
  if (outside(ins.i_in1, in1) || outside(ins.i_in2, in2) || outside(ins.i_out, out)) {
    fail("TensorProduct {} x {} -> {}: instruction ({}, {}, {}) indexes outside the irreps", in1.str(),
         in2.str(), out.str(), ins.i_in1, ins.i_in2, ins.i_out);
  }
  const auto &a = in1[ins.i_in1], &b = in2[ins.i_in2], &c = out[ins.i_out];
  if (std::find(kModes.begin(), kModes.end(), ins.connection_mode) == kModes.end()) {
    fail("TensorProduct: connection mode '{}' is not one of uvw, uvu, uvv, uuw, uuu", ins.connection_mode);
  }
  const auto products = a.ir * b.ir;
  if (std::find(products.begin(), products.end(), c.ir) == products.end()) {
    fail("TensorProduct: instruction ({}, {}, {}): {} is not in {} x {}", ins.i_in1, ins.i_in2, ins.i_out,
         c.ir.str(), a.ir.str(), b.ir.str());
  }
  const std::string& mode = ins.connection_mode;
  const bool ok = (mode == "uvw" && ins.has_weight) || (mode == "uvu" && a.mul == c.mul) ||
                  (mode == "uvv" && b.mul == c.mul) ||
                  (mode == "uuw" && a.mul == b.mul && (ins.has_weight || c.mul == 1)) ||
                  (mode == "uuu" && a.mul == b.mul && b.mul == c.mul);
  if (!ok) {
    fail("TensorProduct: instruction ({}, {}, {}) '{}'{} does not fit multiplicities {}, {} -> {}", ins.i_in1,
         ins.i_in2, ins.i_out, mode, ins.has_weight ? "" : " without weights", a.mul, b.mul, c.mul);
  }
}

std::vector<int64_t> path_shape(const std::string& mode, int64_t mul1, int64_t mul2, int64_t mul_out) {
  if (mode == "uvw") return {mul1, mul2, mul_out};
  if (mode == "uvu" || mode == "uvv") return {mul1, mul2};
  if (mode == "uuw") return {mul1, mul_out};
  return {mul1};
}

// Number of terms summed into one output element (e3nn's num_elements).
double fan_in(const std::string& mode, int64_t mul1, int64_t mul2) {
  if (mode == "uvw") return static_cast<double>(mul1 * mul2);
  if (mode == "uvu") return static_cast<double>(mul2);
  if (mode == "uvv" || mode == "uuw") return static_cast<double>(mul1);
  return 1.0;
}

std::vector<TensorProductInstruction> complete_instructions(
    const so3::Irreps& in1, const so3::Irreps& in2, const so3::Irreps& out,
    std::vector<TensorProductInstruction> instructions, const TensorProductOptions& options) {
  check_options(options);
  const auto fan = [&](const TensorProductInstruction& i) {
    return fan_in(i.connection_mode, in1[i.i_in1].mul, in2[i.i_in2].mul);
  };
  for (const auto& ins : instructions) validate(ins, in1, in2, out);
  std::vector<TensorProductInstruction> complete = instructions;
  for (auto& ins : complete) {
    const auto &a = in1[ins.i_in1], &b = in2[ins.i_in2], &c = out[ins.i_out];
    double alpha = options.irrep_normalization == "component" ? c.ir.dim()
                   : options.irrep_normalization == "norm"    ? a.ir.dim() * b.ir.dim()
                                                              : 1.0;
    double x = 1.0;
    if (options.path_normalization != "none") {
      double total = 0.0;
      int paths = 0;
      for (const auto& other : instructions) {
        if (other.i_out != ins.i_out) continue;
        total += fan(other);
        ++paths;
      }
      x = options.path_normalization == "element" ? total : fan(ins) * paths;
    }
    if (x > 0.0) alpha /= x;
    ins.path_weight = std::sqrt(alpha * ins.path_weight);
    ins.path_shape = path_shape(ins.connection_mode, a.mul, b.mul, c.mul);
  }
  return complete;
}

int64_t count_weights(const std::vector<TensorProductInstruction>& instructions) {
  int64_t total = 0;
  for (const auto& ins : instructions) total += ins.has_weight ? shape_product(ins.path_shape) : 0;
  return total;
}

std::vector<int64_t> with_last(at::IntArrayRef batch_shape, int64_t last) {
  std::vector<int64_t> shape = batch_shape.vec();
  shape.push_back(last);
  return shape;
}

}  // namespace

TensorProduct::TensorProduct(const so3::Irreps& irreps_in1, const so3::Irreps& irreps_in2,
                             const so3::Irreps& irreps_out,
                             std::vector<TensorProductInstruction> instructions, TensorProductOptions options)
    : irreps_in1_(irreps_in1),
      irreps_in2_(irreps_in2),
      irreps_out_(irreps_out),
      instructions_(
          complete_instructions(irreps_in1, irreps_in2, irreps_out, std::move(instructions), options)),
      weight_numel_(count_weights(instructions_)),
      shared_weights_(options.shared_weights),
      kernel_(irreps_in1_, irreps_in2_, irreps_out_, instructions_) {
  const bool any_weight =
      std::any_of(instructions_.begin(), instructions_.end(), [](const auto& ins) { return ins.has_weight; });
  internal_weights_ = options.internal_weights.value_or(shared_weights_ && any_weight);
  if (internal_weights_) weight = register_parameter("weight", at::randn({weight_numel_}));
}

at::Tensor TensorProduct::flat_weight(const c10::optional<at::Tensor>& given,
                                      at::IntArrayRef batch_shape) const {
  if (!given.has_value() || !given->defined()) {
    if (internal_weights_) return weight;
    if (weight_numel_ == 0) return at::Tensor();
    fail("TensorProduct: weights must be passed to forward (the module has no internal weights)");
  }
  const at::Tensor& w = *given;
  if (w.dim() < 1 || w.size(-1) != weight_numel_) {
    fail("TensorProduct: weight has shape {}, expected [..., {}]", c10::str(w.sizes()), weight_numel_);
  }
  if (shared_weights_) {
    if (w.dim() != 1)
      fail("TensorProduct: shared weights must be 1-D [{}], got {}", weight_numel_, c10::str(w.sizes()));
    return w;
  }
  return w.expand(with_last(batch_shape, weight_numel_)).reshape({-1, weight_numel_});
}

TensorProduct::Flat TensorProduct::flatten(const at::Tensor& x1, const at::Tensor& x2,
                                           const c10::optional<at::Tensor>& weight) const {
  if (x1.dim() < 1 || x1.size(-1) != irreps_in1_.dim() || x2.dim() < 1 || x2.size(-1) != irreps_in2_.dim()) {
    fail("TensorProduct {} x {}: inputs have shapes {} and {}, expected [..., {}] and [..., {}]",
         irreps_in1_.str(), irreps_in2_.str(), c10::str(x1.sizes()), c10::str(x2.sizes()), irreps_in1_.dim(),
         irreps_in2_.dim());
  }
  Flat f;
  f.batch = at::infer_size(x1.sizes().slice(0, x1.dim() - 1), x2.sizes().slice(0, x2.dim() - 1));
  if (!shared_weights_ && weight.has_value() && weight->defined() && weight->dim() >= 1) {
    f.batch = at::infer_size(f.batch, weight->sizes().slice(0, weight->dim() - 1));
  }
  f.x1 = x1.expand(with_last(f.batch, irreps_in1_.dim())).reshape({-1, irreps_in1_.dim()});
  f.x2 = x2.expand(with_last(f.batch, irreps_in2_.dim())).reshape({-1, irreps_in2_.dim()});
  f.weight = flat_weight(weight, f.batch);
  if (!f.weight.defined()) {
    f.weight = shared_weights_ ? at::zeros({0}, f.x1.options()) : at::zeros({f.x1.size(0), 0}, f.x1.options());
  }
  return f;
}

at::Tensor TensorProduct::forward(const at::Tensor& x1, const at::Tensor& x2,
                                  const c10::optional<at::Tensor>& weight) const {
  const Flat f = flatten(x1, x2, weight);
  return kernel_(f.x1, f.x2, f.weight).view(with_last(f.batch, irreps_out_.dim()));
}

IrrepMajor TensorProduct::forward_irrep_major(const at::Tensor& x1, const at::Tensor& x2,
                                              const c10::optional<at::Tensor>& weight) const {
  const Flat f = flatten(x1, x2, weight);
  return kernel_.irrep_major(f.x1, f.x2, f.weight);
}

at::Tensor TensorProduct::weight_view(const at::Tensor& flat, int n) const {
  if (n < 0 || n >= static_cast<int>(instructions_.size()) || !instructions_[n].has_weight) {
    fail("TensorProduct: instruction {} does not exist or has no weights", n);
  }
  int64_t offset = 0;
  for (int k = 0; k < n; ++k)
    offset += instructions_[k].has_weight ? shape_product(instructions_[k].path_shape) : 0;
  std::vector<int64_t> shape = flat.sizes().slice(0, flat.dim() - 1).vec();
  shape.insert(shape.end(), instructions_[n].path_shape.begin(), instructions_[n].path_shape.end());
  return flat.narrow(-1, offset, shape_product(instructions_[n].path_shape)).view(shape);
}

std::vector<TensorProductInstruction> fully_connected_instructions(const so3::Irreps& irreps_in1,
                                                                   const so3::Irreps& irreps_in2,
                                                                   const so3::Irreps& irreps_out) {
  std::vector<TensorProductInstruction> instructions;
  for (std::size_t i1 = 0; i1 < irreps_in1.size(); ++i1) {
    for (std::size_t i2 = 0; i2 < irreps_in2.size(); ++i2) {
      const auto products = irreps_in1[i1].ir * irreps_in2[i2].ir;
      for (std::size_t o = 0; o < irreps_out.size(); ++o) {
        if (std::find(products.begin(), products.end(), irreps_out[o].ir) == products.end()) continue;
        instructions.push_back(
            {static_cast<int>(i1), static_cast<int>(i2), static_cast<int>(o), "uvw", true, 1.0, {}});
      }
    }
  }
  return instructions;
}

FullyConnectedTensorProduct::FullyConnectedTensorProduct(const so3::Irreps& irreps_in1,
                                                         const so3::Irreps& irreps_in2,
                                                         const so3::Irreps& irreps_out,
                                                         TensorProductOptions options)
    : TensorProduct(irreps_in1, irreps_in2, irreps_out,
                    fully_connected_instructions(irreps_in1, irreps_in2, irreps_out), std::move(options)) {}

}  // namespace eqt::nn
