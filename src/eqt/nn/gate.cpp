#include "eqt/nn/gate.h"

#include <algorithm>

#include "eqt/core/error.h"
#include "eqt/nn/activation.h"

namespace eqt::nn {
namespace {

// The irreps after the activations (e3nn's Activation.irreps_out): parity of odd scalars follows
// the parity of the activation; an activation that is neither even nor odd cannot take them.
so3::Irreps activated_irreps(const so3::Irreps& irreps, const std::vector<std::string>& acts,
                             const char* role) {
  if (acts.size() != irreps.size()) {
    fail("Gate: {} activations given for the {} blocks of {} '{}'", acts.size(), irreps.size(), role,
         irreps.str());
  }
  std::vector<so3::MulIrrep> out;
  for (std::size_t i = 0; i < irreps.size(); ++i) {
    so3::MulIrrep block = irreps[i];
    if (block.ir.l != 0) fail("Gate: {} '{}' must be scalars (l = 0)", role, irreps.str());
    if (!acts[i].empty() && block.ir.p == -1) {
      const int parity = normalized_activation(acts[i]).parity();
      if (parity == 0) {
        fail("Gate: activation '{}' is neither even nor odd and cannot act on the odd scalars {} of {}",
             acts[i], block.str(), role);
      }
      block.ir = so3::Irrep(0, parity);
    }
    out.push_back(block);
  }
  return so3::Irreps(out);
}

// e3nn's ElementwiseTensorProduct(gated, gates).irreps_out: both simplified, then cut into chunks
// of equal multiplicity; each chunk keeps the gated l with parity p_gated * p_gate.
so3::Irreps gated_output_irreps(const so3::Irreps& gated, const so3::Irreps& gates) {
  std::vector<so3::MulIrrep> a = gated.simplify().items(), b = gates.simplify().items();
  std::vector<so3::MulIrrep> out;
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const int mul = std::min(a[i].mul, b[j].mul);
    out.push_back({mul, so3::Irrep(a[i].ir.l, a[i].ir.p * b[j].ir.p)});
    if ((a[i].mul -= mul) == 0) ++i;
    if ((b[j].mul -= mul) == 0) ++j;
  }
  return so3::Irreps(out);
}

}  // namespace

Gate::Gate(const so3::Irreps& irreps_scalars, std::vector<std::string> act_scalars,
           const so3::Irreps& irreps_gates, std::vector<std::string> act_gates,
           const so3::Irreps& irreps_gated, GateLayout layout)
    : irreps_scalars_(irreps_scalars),
      irreps_gates_(irreps_gates),
      irreps_gated_(irreps_gated),
      act_scalars_(std::move(act_scalars)),
      act_gates_(std::move(act_gates)),
      layout_(layout) {
  if (irreps_gates_.num_irreps() != irreps_gated_.num_irreps()) {
    fail("Gate: {} gates '{}' for {} gated irreps '{}'", irreps_gates_.num_irreps(), irreps_gates_.str(),
         irreps_gated_.num_irreps(), irreps_gated_.str());
  }
  const so3::Irreps scalars_out = activated_irreps(irreps_scalars_, act_scalars_, "irreps_scalars");
  const so3::Irreps gates_out = activated_irreps(irreps_gates_, act_gates_, "irreps_gates");
  irreps_out_ = scalars_out + gated_output_irreps(irreps_gated_, gates_out);
  scalar_spans_ = spans(irreps_scalars_, act_scalars_);
  gate_spans_ = spans(irreps_gates_, act_gates_);
  build_layout();
}

void Gate::build_layout() {
  const so3::Irreps canonical =
      irreps_scalars_.simplify() + irreps_gates_.simplify() + irreps_gated_.simplify();
  if (layout_ == GateLayout::Concatenated) {
    irreps_in_ = canonical.simplify();
    return;
  }
  const auto sorted = canonical.sort();
  irreps_in_ = sorted.irreps.simplify();
  for (const auto& block : sorted.irreps) input_block_dims_.push_back(block.dim());
  canonical_order_ = sorted.p;  // canonical block i sits at sorted position p[i]
  for (std::size_t i = 0; i < canonical_order_.size(); ++i) {
    reorder_ = reorder_ || canonical_order_[i] != static_cast<int>(i);
  }
}

std::vector<Gate::ActivationSpan> Gate::spans(const so3::Irreps& irreps,
                                              const std::vector<std::string>& acts) {
  std::vector<ActivationSpan> out;
  const auto slices = irreps.slices();
  for (std::size_t i = 0; i < irreps.size(); ++i) {
    const int64_t size = slices[i].second - slices[i].first;
    if (size == 0) continue;
    if (!out.empty() && out.back().act == acts[i]) {
      out.back().size += size;  // merged so one call covers neighbouring blocks
    } else {
      out.push_back({slices[i].first, size, acts[i]});
    }
  }
  return out;
}

at::Tensor Gate::activate(const at::Tensor& x, const std::vector<ActivationSpan>& spans) {
  std::vector<at::Tensor> parts;
  for (const auto& span : spans) {
    const at::Tensor slice = x.narrow(-1, span.start, span.size);
    parts.push_back(span.act.empty() ? slice : normalized_activation(span.act)(slice));
  }
  if (parts.size() == 1) return parts.front();
  if (parts.empty()) return x.narrow(-1, 0, 0);
  return at::cat(parts, -1);
}

at::Tensor Gate::apply_gates(const at::Tensor& gated, const at::Tensor& gates) const {
  std::vector<int64_t> dims, muls;
  for (const auto& block : irreps_gated_) {
    dims.push_back(block.dim());
    muls.push_back(block.mul);
  }
  const auto gated_blocks = gated.split_with_sizes(dims, -1);
  const auto gate_blocks = gates.split_with_sizes(muls, -1);
  std::vector<at::Tensor> out;
  for (std::size_t b = 0; b < dims.size(); ++b) {
    std::vector<int64_t> shape = gated.sizes().vec();
    shape.back() = muls[b];
    shape.push_back(irreps_gated_[b].ir.dim());  // [..., mul, 2l+1]: gate copy k scales row k
    std::vector<int64_t> flat = gated.sizes().vec();
    flat.back() = dims[b];
    out.push_back((gated_blocks[b].reshape(shape) * gate_blocks[b].unsqueeze(-1)).reshape(flat));
  }
  return out.size() == 1 ? out.front() : at::cat(out, -1);
}

at::Tensor Gate::forward(const at::Tensor& x) const {
  if (x.dim() < 1 || x.size(-1) != irreps_in_.dim()) {
    fail("Gate {}: input has shape {}, expected [..., {}]", irreps_in_.str(), c10::str(x.sizes()),
         irreps_in_.dim());
  }
  at::Tensor canonical = x;
  if (reorder_) {
    const auto blocks = x.split_with_sizes(input_block_dims_, -1);
    std::vector<at::Tensor> ordered;
    for (int k : canonical_order_) ordered.push_back(blocks[k]);
    canonical = at::cat(ordered, -1);
  }
  const int64_t n_scalars = irreps_scalars_.dim(), n_gates = irreps_gates_.dim();
  const auto parts = canonical.split_with_sizes({n_scalars, n_gates, irreps_gated_.dim()}, -1);
  const at::Tensor scalars = activate(parts[0], scalar_spans_);
  if (n_gates == 0) return scalars;
  return at::cat({scalars, apply_gates(parts[2], activate(parts[1], gate_spans_))}, -1);
}

}  // namespace eqt::nn
