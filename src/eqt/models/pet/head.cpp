#include "eqt/models/pet/head.h"

#include <algorithm>

#include "eqt/models/pet/transformer.h"
#include "eqt/kernels/fast_linear.h"

namespace eqt::models::pet {

Head::Head(const PetHypers& hypers, c10::ScalarType dtype) : activation_(hypers.activation) {
  auto model = register_module("model", std::make_shared<torch::nn::Module>("FeedForward"));
  auto sequential = model->register_module("nn", std::make_shared<torch::nn::Module>("Sequential"));
  const int64_t d = hypers.d_model, hidden = hypers.head_n_neurons;
  first_ = sequential->register_module("0", std::make_shared<nn::DenseLayer>(d, hidden, true, dtype));
  second_ = sequential->register_module("2", std::make_shared<nn::DenseLayer>(hidden, hidden, true, dtype));
  last_ = sequential->register_module("4", std::make_shared<nn::DenseLayer>(hidden, 1, true, dtype));
}

at::Tensor Head::forward(const at::Tensor& x) const {
  const at::Tensor h = activate(activation_, first_->forward(x));
  return last_->forward(activate(activation_, second_->forward(h)));
}

// As officially, averages divide by the total cutoff weight, which is 0 for an isolated atom.
at::Tensor pool_messages(const at::Tensor& messages, const at::Tensor& key_weights, bool average) {
  const at::Tensor pooled = (messages * key_weights.unsqueeze(-1)).sum(1);
  return average ? pooled / key_weights.sum(1, /*keepdim=*/true) : pooled;
}

at::Tensor sum_bond_energies(const at::Tensor& bond_outputs, const at::Tensor& padding,
                             const at::Tensor& key_weights, bool average) {
  // where(), not a product: padding outputs must not leak even if they were not finite.
  const at::Tensor real = at::where(padding.unsqueeze(-1), at::zeros_like(bond_outputs), bond_outputs);
  const at::Tensor summed = (real * key_weights.unsqueeze(-1)).sum(1);
  return average ? summed / key_weights.sum(1, /*keepdim=*/true) : summed;
}

at::Tensor sum_packed_bond_energies(const at::Tensor& bond_outputs, const at::Tensor& neighbour_index,
                                    const at::Tensor& key_weights, bool average) {
  const int64_t n = key_weights.size(0), k = key_weights.size(1);
  const at::Tensor weights = key_weights.reshape({-1}).index_select(0, neighbour_index).unsqueeze(-1);
  const at::Tensor centre = neighbour_index.div(std::max<int64_t>(k, 1), "floor");
  const at::Tensor summed = at::zeros({n, 1}, bond_outputs.options()).index_add(0, centre, bond_outputs * weights);
  return average ? summed / key_weights.sum(1, /*keepdim=*/true) : summed;
}

}  // namespace eqt::models::pet
