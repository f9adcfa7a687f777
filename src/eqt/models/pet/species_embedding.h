#pragma once
// nn.Embedding over PET species indices (position in all_species; index n_species marks padding
// tokens), with the official parameter name "weight".
#include <ATen/ATen.h>
#include <torch/nn/module.h>

namespace eqt::models::pet {

class SpeciesEmbedding : public torch::nn::Module {
 public:
  // rows = n_species + 1; initialised N(0, 1) as nn.Embedding.
  SpeciesEmbedding(int64_t rows, int64_t dim, c10::ScalarType dtype);
  at::Tensor forward(const at::Tensor& species_index) const;  // [...] -> [..., dim]
  at::Tensor weight;
};

}  // namespace eqt::models::pet
