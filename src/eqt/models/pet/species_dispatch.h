#pragma once
// TRANSFORMERS_CENTRAL_SPECIFIC / HEADS_CENTRAL_SPECIFIC give every central species its own GNN
// layer or head. per_central_species runs a computation on the rows (centre atoms) of each species
// present and puts the results back in row order.
#include <ATen/ATen.h>

#include <functional>
#include <vector>

namespace eqt::models::pet {

// fn(species, rows) returns tensors whose first dimension indexes `rows`; undefined tensors stay
// undefined. The result has the same tensors with one row per centre (num = central_species.size(0)).
using RowsFunction = std::function<std::vector<at::Tensor>(int64_t species, const at::Tensor& rows)>;
std::vector<at::Tensor> per_central_species(const at::Tensor& central_species, int64_t n_species,
                                            const RowsFunction& fn);

}  // namespace eqt::models::pet
