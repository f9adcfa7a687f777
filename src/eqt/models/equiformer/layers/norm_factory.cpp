#include "eqt/models/equiformer/layers/norm_factory.h"

#include "eqt/core/error.h"
#include "eqt/models/equiformer/layers/graph_norm.h"
#include "eqt/models/equiformer/layers/layer_norm.h"

namespace eqt::models::equiformer {

std::shared_ptr<EquivariantNorm> make_norm(const std::string& name, const so3::Irreps& irreps, double eps,
                                           c10::ScalarType dtype) {
  const auto component = NormNormalization::Component;
  if (name == "layer" || name == "fast_layer") {
    return std::make_shared<EquivariantLayerNormV2>(irreps, eps, true, component, dtype);
  }
  if (name == "graph") {
    return std::make_shared<EquivariantGraphNorm>(irreps, eps, true, GraphReduce::Mean, component,
                                                  dtype);
  }
  if (name == "instance") {
    return std::make_shared<EquivariantInstanceNorm>(irreps, eps, true, GraphReduce::Mean,
                                                     component, dtype);
  }
  fail("unknown norm_layer '{}': expected one of 'layer', 'fast_layer', 'graph', 'instance'", name);
}

}  // namespace eqt::models::equiformer
