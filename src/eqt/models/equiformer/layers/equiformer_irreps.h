#pragma once
// Irreps bookkeeping rules of the official Equiformer code (nets/tensor_product_rescale.py and
// nets/graph_attention_transformer.py), needed to rebuild its layers with identical layouts.
#include <vector>

#include "eqt/so3/irreps.h"

namespace eqt::models::equiformer {

// Stable sort of the blocks by (l, even before odd), NOT simplified. Equiformer uses this
// ("sort_irreps_even_first") where e3nn's Irreps::sort would put odd parity first.
so3::Irreps::Sorted sort_irreps_even_first(const so3::Irreps& irreps);

// The split of gate irreps ("irreps2gate"): scalars = the 0e blocks, gated = every other block
// (0o included), gates = one 0e per gated copy; each list simplified.
struct GateIrreps {
  so3::Irreps scalars, gates, gated;
  // [scalars | gates | gated], simplified: what the layer before the gate must produce.
  so3::Irreps gate_input() const { return (scalars + gates + gated).simplify(); }
};
GateIrreps irreps_to_gate(const so3::Irreps& irreps);

// Total multiplicity of the 0e blocks ("get_mul_0").
int scalar_multiplicity(const so3::Irreps& irreps);

}  // namespace eqt::models::equiformer
