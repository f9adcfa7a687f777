#include "eqt/models/pet/species_dispatch.h"

namespace eqt::models::pet {

std::vector<at::Tensor> per_central_species(const at::Tensor& central_species, int64_t n_species,
                                            const RowsFunction& fn) {
  const int64_t num = central_species.size(0);
  std::vector<at::Tensor> assembled;
  for (int64_t s = 0; s < n_species; ++s) {
    const at::Tensor rows = (central_species == s).nonzero().view(-1);
    if (rows.numel() == 0) continue;
    const std::vector<at::Tensor> parts = fn(s, rows);
    if (assembled.empty()) {
      for (const auto& part : parts) {
        if (!part.defined()) {
          assembled.emplace_back();
          continue;
        }
        std::vector<int64_t> shape = part.sizes().vec();
        shape[0] = num;
        assembled.push_back(at::zeros(shape, part.options()));
      }
    }
    // Out-of-place index_copy keeps every species' rows in the autograd graph.
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (parts[p].defined()) assembled[p] = assembled[p].index_copy(0, rows, parts[p]);
    }
  }
  return assembled;
}

}  // namespace eqt::models::pet
