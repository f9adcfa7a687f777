#include "eqt/models/equiformer/attention_output.h"

namespace eqt::models::equiformer {

AttentionOutput::AttentionOutput(const so3::Irreps& irreps_head, int num_heads, const so3::Irreps& irreps_attn_heads,
                                 const so3::Irreps& irreps_node_output, AttentionOutputOptions options,
                                 c10::ScalarType dtype)
    : merge_(irreps_head, num_heads), options_(options) {
  proj = std::make_shared<LinearRS>(irreps_attn_heads, irreps_node_output, true, dtype);
  proj_drop = std::make_shared<EquivariantDropout>(irreps_node_output, options.proj_drop);
}

at::Tensor AttentionOutput::forward(const at::Tensor& logits, const at::Tensor& values, const EdgeInputs& edges,
                                    bool training) const {
  at::Tensor weights = attention_weights(logits, edges.dst, edges.num_nodes, edges.cutoff);
  if (options_.alpha_drop > 0.0 && training) weights = at::dropout(weights, options_.alpha_drop, true);
  at::Tensor attn = merge_(aggregate_heads(values, weights, edges.dst, edges.num_nodes));
  if (options_.rescale_degree) {
    // With the smooth cutoff an edge counts as much as its cutoff weight, so the degree is smooth too.
    const at::Tensor counts = edges.cutoff.defined() ? edges.cutoff : at::ones({edges.dst.size(0)}, attn.options());
    const at::Tensor degree = at::zeros({edges.num_nodes}, attn.options()).index_add(0, edges.dst, counts);
    attn = attn * (degree / options_.degree_divisor).unsqueeze(1);
  }
  return proj_drop->forward(proj->forward(attn));
}

}  // namespace eqt::models::equiformer
