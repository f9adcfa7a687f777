#include "eqt/models/pet/species_embedding.h"

namespace eqt::models::pet {

SpeciesEmbedding::SpeciesEmbedding(int64_t rows, int64_t dim, c10::ScalarType dtype) {
  weight = register_parameter("weight", at::randn({rows, dim}, at::TensorOptions().dtype(dtype)));
}

at::Tensor SpeciesEmbedding::forward(const at::Tensor& species_index) const {
  return at::embedding(weight, species_index);
}

}  // namespace eqt::models::pet
