#include "eqt/nn/gate.h"

#include <numeric>

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

at::Tensor long_tensor(const std::vector<int64_t>& values) {
  return at::tensor(values, at::TensorOptions().dtype(at::kLong));
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
  std::vector<int64_t> positions(canonical.dim());
  std::iota(positions.begin(), positions.end(), 0);
  if (layout_ == GateLayout::Concatenated) {
    irreps_in_ = canonical.simplify();
  } else {
    const auto sorted = canonical.sort();
    irreps_in_ = sorted.irreps.simplify();
    const auto sorted_slices = sorted.irreps.slices();
    positions.clear();
    for (std::size_t i = 0; i < canonical.size(); ++i) {  // block i sits at sorted position p[i]
      const int64_t start = sorted_slices[sorted.p[i]].first;
      for (int64_t e = 0; e < canonical[i].dim(); ++e) positions.push_back(start + e);
    }
  }
  if (!std::is_sorted(positions.begin(), positions.end()))
    canonical_slot_ = constants_.add(long_tensor(positions));

  std::vector<int64_t> gate_of;
  int64_t copy = 0;
  for (const auto& block : irreps_gated_) {
    for (int u = 0; u < block.mul; ++u, ++copy) gate_of.insert(gate_of.end(), block.ir.dim(), copy);
  }
  gate_of_slot_ = constants_.add(long_tensor(gate_of));
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

at::Tensor Gate::forward(const at::Tensor& x) const {
  if (x.dim() < 1 || x.size(-1) != irreps_in_.dim()) {
    fail("Gate {}: input has shape {}, expected [..., {}]", irreps_in_.str(), c10::str(x.sizes()),
         irreps_in_.dim());
  }
  const at::Tensor canonical =
      canonical_slot_ < 0 ? x : x.index_select(-1, constants_.get(canonical_slot_, x));
  const int64_t n_scalars = irreps_scalars_.dim(), n_gates = irreps_gates_.dim();
  const at::Tensor scalars = activate(canonical.narrow(-1, 0, n_scalars), scalar_spans_);
  if (n_gates == 0) return scalars;
  const at::Tensor gates = activate(canonical.narrow(-1, n_scalars, n_gates), gate_spans_);
  const at::Tensor gated = canonical.narrow(-1, n_scalars + n_gates, irreps_gated_.dim());
  return at::cat({scalars, gated * gates.index_select(-1, constants_.get(gate_of_slot_, x))}, -1);
}

}  // namespace eqt::nn
